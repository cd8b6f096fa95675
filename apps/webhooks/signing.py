"""Endpoint secrets (generated, encrypted at rest) and the signature headers of each request.

Every request carries two signatures made with the endpoint's one secret (``whsec_`` + base64 of 32 random
bytes, the Standard Webhooks format):

- ``X-Teeckin-Signature: sha256=<hex>`` (and the same value in ``X-Webhook-Signature``): HMAC-SHA256 of
  the raw body keyed with the whole secret string as shown (``whsec_…`` included), so ClockEye's
  verification snippet works unchanged;
- Standard Webhooks ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature: v1,<base64>``: HMAC-SHA256
  of ``id.timestamp.body`` keyed with the base64-decoded secret, so receivers can reject replays with the
  ``standardwebhooks`` libraries.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac

SECRET_PREFIX = "whsec_"
SIGNATURE_HEADER = "X-Teeckin-Signature"
# The same signature under a name that says nothing about Teeckin, for receivers written for another
# service (ClockEye's) that can be pointed at a header name but not at ours.
NEUTRAL_SIGNATURE_HEADER = "X-Webhook-Signature"
_KEY_SALT = "teeckin.webhooks.endpoint-secret"


def secret_generate() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _fernet() -> MultiFernet:
    # One Fernet key per SECRET_KEY (current first, then SECRET_KEY_FALLBACKS), so rotating SECRET_KEY
    # the Django way keeps existing endpoint secrets readable.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(salted_hmac(_KEY_SALT, "", secret=key, algorithm="sha256").digest())
            )
            for key in keys
        ]
    )


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def signature_headers(*, secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    hex_digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    v1 = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return {
        SIGNATURE_HEADER: f"sha256={hex_digest}",
        NEUTRAL_SIGNATURE_HEADER: f"sha256={hex_digest}",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": f"v1,{v1}",
    }
