"""Checking that a webhook request came from your Teeckin server, for receivers.

Teeckin signs every delivery twice with the endpoint's secret (``whsec_…``):

- Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature: v1,<base64>``, an
  HMAC-SHA256 of ``id.timestamp.body`` keyed with the base64-decoded part of the secret. Preferred: the
  timestamp lets a receiver refuse replays.
- ``X-Teeckin-Signature`` and ``X-Webhook-Signature``: ``sha256=<hex>``, an HMAC-SHA256 of the body keyed
  with the whole secret string (ClockEye's scheme).

``verify_webhook`` checks the Standard Webhooks signature when its headers are there, and the plain one
otherwise, and returns the parsed event.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from teeckin.errors import WebhookVerificationError

SECRET_PREFIX = "whsec_"
PLAIN_SIGNATURE_HEADERS = ("x-teeckin-signature", "x-webhook-signature")
DEFAULT_TOLERANCE_SECONDS = 300


def _standard_check(
    body: bytes, headers: Mapping[str, str], secret: str, tolerance: float, now: float
) -> None:
    message_id, timestamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
    if not message_id or not timestamp or not timestamp.isdigit():
        raise WebhookVerificationError("webhook-id or webhook-timestamp missing or malformed.")
    if abs(now - int(timestamp)) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is too far from now (a replay, or a wrong clock).")
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as exc:
        raise WebhookVerificationError("The secret is not a whsec_ secret.") from exc
    signed = f"{message_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    # The header may hold several space-separated signatures (during a secret rotation, say).
    for candidate in headers["webhook-signature"].split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise WebhookVerificationError("webhook-signature does not match the body.")


def _plain_check(body: bytes, signature: str, secret: str) -> None:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature.strip(), expected):
        raise WebhookVerificationError("The sha256 signature does not match the body.")


def verify_webhook(
    body: bytes | str,
    headers: Mapping[str, str],
    secret: str,
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> dict[str, Any]:
    """Check a delivery's signature and return its event (``{"id", "event", "createdAt", "data"}``).

    ``body`` must be the raw bytes as received: a re-serialised JSON body does not match. Raises
    ``WebhookVerificationError`` when no signature checks out.
    """
    raw = body.encode() if isinstance(body, str) else body
    lowered = {name.lower(): value for name, value in headers.items()}
    if "webhook-signature" in lowered:
        _standard_check(raw, lowered, secret, tolerance, time.time() if now is None else now)
    else:
        plain = next((lowered[name] for name in PLAIN_SIGNATURE_HEADERS if name in lowered), None)
        if plain is None:
            raise WebhookVerificationError("No signature header in the request.")
        _plain_check(raw, plain, secret)
    try:
        event = json.loads(raw)
    except ValueError as exc:
        raise WebhookVerificationError("The body is not JSON.") from exc
    if not isinstance(event, dict):
        raise WebhookVerificationError("The body is not an event object.")
    return event
