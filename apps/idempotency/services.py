"""Idempotency keys: claim one before a write runs, record the answer it got, prune old ones.

Semantics follow the IETF ``Idempotency-Key`` header draft and Stripe: a key belongs to the credential's
organization and user for ``settings.IDEMPOTENCY_KEY_TTL``; the same key with the same request replays
the recorded answer, with another request it is refused, and while the first request runs a repeat is
told to wait. The database row is the lock, so racing requests (any number of processes) execute once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.errors import Conflict, DomainError, ValidationFailed
from apps.idempotency.models import IdempotencyKey
from apps.organizations.models import Organization

logger = logging.getLogger("teeckin.api")

KEY_MAX_LENGTH = 255

T = TypeVar("T")


class InvalidIdempotencyKey(ValidationFailed):
    code = "INVALID_IDEMPOTENCY_KEY"
    default_message = (
        f"Idempotency-Key must be 1 to {KEY_MAX_LENGTH} printable ASCII characters (space to ~)."
    )


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "IDEMPOTENCY_KEY_REUSED"
    default_message = (
        "This Idempotency-Key was already used for a different request (another endpoint or body). "
        "Use a new key for a new request."
    )


class IdempotencyKeyInProgress(Conflict):
    code = "IDEMPOTENCY_KEY_IN_PROGRESS"
    default_message = "A request with this Idempotency-Key is still being processed; retry shortly."


@dataclass(frozen=True)
class Claim:
    """This request owns the key: it runs, then records its answer under ``lease``."""

    id: int
    lease: uuid.UUID


@dataclass(frozen=True)
class RecordedAnswer:
    """An earlier request with this key finished: its answer, to send again."""

    status_code: int
    body: bytes
    content_type: str


def idempotency_key_clean(raw: str) -> str:
    """The key from the header's value. The draft sends it as a structured-field string
    (``"abc"``); most clients, like Stripe's, send it bare: both are accepted."""
    key = raw
    if len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        key = key[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    # WSGI hands headers over as latin-1 text: anything outside printable ASCII is refused here.
    if not 1 <= len(key) <= KEY_MAX_LENGTH or any(not " " <= char <= "~" for char in key):
        raise InvalidIdempotencyKey(details={"Idempotency-Key": [InvalidIdempotencyKey.default_message]})
    return key


def request_fingerprint(*, method: str, path: str, data: Any) -> str:
    """What makes two requests "the same": method, path and the parsed body, so key order and
    whitespace in the JSON do not matter."""
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{method} {path}\n{body}".encode()).hexdigest()


def _fresh_fields(*, fingerprint: str, method: str, path: str, now: datetime) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint,
        "method": method,
        "path": path[:500],
        "created_at": now,
        "lease": uuid.uuid4(),
        "leased_at": now,
        "status_code": None,
        "response_body": b"",
        "response_content_type": "",
    }


def idempotency_key_claim(
    *,
    organization: Organization,
    user: AbstractBaseUser,
    key: str,
    fingerprint: str,
    method: str,
    path: str,
    now: datetime | None = None,
) -> Claim | RecordedAnswer:
    """Claim ``key`` for this request, or return the answer a finished request with it got.

    Raises ``IdempotencyKeyReused`` (another request used the key) or ``IdempotencyKeyInProgress``.
    Must run outside any transaction in production so the claim is committed (visible to racing
    requests) before the write starts.
    """
    now = now or timezone.now()
    fields = _fresh_fields(fingerprint=fingerprint, method=method, path=path, now=now)
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(organization=organization, user=user, key=key, **fields)
        return Claim(id=row.pk, lease=fields["lease"])
    except IntegrityError:
        pass  # someone holds the key: see what they did with it

    existing = IdempotencyKey.objects.filter(organization=organization, user=user, key=key).first()
    if existing is None:
        # Pruned between our insert and this read: whoever claims it next runs.
        raise IdempotencyKeyInProgress()
    if existing.created_at <= now - settings.IDEMPOTENCY_KEY_TTL:
        # Expired but not pruned yet: as good as absent. The condition makes one taker win.
        if IdempotencyKey.objects.filter(pk=existing.pk, created_at=existing.created_at).update(**fields):
            return Claim(id=existing.pk, lease=fields["lease"])
        raise IdempotencyKeyInProgress()
    if existing.fingerprint != fingerprint:
        raise IdempotencyKeyReused(details={"method": existing.method, "path": existing.path})
    if existing.lease is None:
        return RecordedAnswer(
            status_code=existing.status_code or 200,
            body=bytes(existing.response_body),
            content_type=existing.response_content_type,
        )
    if existing.leased_at is not None and existing.leased_at <= now - settings.IDEMPOTENCY_LEASE:
        # Its process died mid-request. Its writes were in the transaction that records the answer,
        # so they never committed: running the request again cannot write twice.
        taken = IdempotencyKey.objects.filter(pk=existing.pk, lease=existing.lease).update(
            lease=fields["lease"], leased_at=now
        )
        if taken:
            return Claim(id=existing.pk, lease=fields["lease"])
    raise IdempotencyKeyInProgress()


def idempotency_key_record(*, claim: Claim, status_code: int, body: bytes, content_type: str) -> bool:
    """Store the answer of the request that holds ``claim``. Call it inside the transaction of the
    request's writes: False means the lease was taken over, and that transaction must roll back."""
    return bool(
        IdempotencyKey.objects.filter(pk=claim.id, lease=claim.lease).update(
            lease=None,
            leased_at=None,
            status_code=status_code,
            response_body=body,
            response_content_type=content_type,
        )
    )


def idempotency_answer_final(status_code: int) -> bool:
    """Final answers are recorded. 5xx, 409 and 429 tell the client to retry, so their claim is released
    instead (the request's transaction rolled back: the retry cannot write twice)."""
    return status_code < 500 and status_code not in (409, 429)


def idempotency_key_execute(
    *, claim: Claim, run: Callable[[], T], answer: Callable[[T], RecordedAnswer]
) -> T:
    """Run the writes of the request holding ``claim`` and record its answer (``answer(result)``) in one
    transaction: both commit or neither, so a crash cannot leave a write without the answer a retry would
    replay. A non-final answer is not recorded (the caller settles the claim). Raises
    ``IdempotencyKeyInProgress`` (rolling the writes back) when the lease was taken over meanwhile."""
    with transaction.atomic():
        result = run()
        recorded = answer(result)
        if idempotency_answer_final(recorded.status_code) and not idempotency_key_record(
            claim=claim,
            status_code=recorded.status_code,
            body=recorded.body,
            content_type=recorded.content_type,
        ):
            # Our lease was taken over (we ran past IDEMPOTENCY_LEASE): the other run answers.
            raise IdempotencyKeyInProgress()
    return result


def idempotency_key_settle(*, claim: Claim, answer: RecordedAnswer) -> None:
    """After the request failed (its writes rolled back): record its answer if final, else release the key."""
    if idempotency_answer_final(answer.status_code):
        idempotency_key_record(
            claim=claim, status_code=answer.status_code, body=answer.body, content_type=answer.content_type
        )
    else:
        idempotency_key_release(claim=claim)


def idempotency_key_release(*, claim: Claim) -> None:
    """Forget a claim whose request failed without a final answer, so a retry with the key runs."""
    IdempotencyKey.objects.filter(pk=claim.id, lease=claim.lease).delete()


def idempotency_key_release_after_error(*, claim: Claim) -> None:
    """``idempotency_key_release`` while an unexpected error is on its way out: a failure to release is
    logged, not raised, since the original error matters more (the lease expires after IDEMPOTENCY_LEASE)."""
    try:
        idempotency_key_release(claim=claim)
    except Exception:
        logger.exception("Could not release idempotency claim %s", claim.id)


def idempotency_keys_prune(*, now: datetime | None = None) -> int:
    """Delete keys older than the TTL (the beat job); returns how many."""
    cutoff = (now or timezone.now()) - settings.IDEMPOTENCY_KEY_TTL
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
