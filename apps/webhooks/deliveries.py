"""Delivery: one attempt at a time per delivery (a lease), retries with backoff until the retry window
closes, redelivery by hand, and pruning of old logs."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.webhooks import signing, transport
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from apps.webhooks.outbox import enqueue_on_commit

logger = logging.getLogger(__name__)


def retry_delay(*, attempt_number: int) -> timedelta:
    """Exponential backoff with jitter: base * 2^(n-1), capped, times a random factor in [0.8, 1.2)."""
    base = settings.WEBHOOK_RETRY_BASE_DELAY.total_seconds()
    cap = settings.WEBHOOK_RETRY_MAX_DELAY.total_seconds()
    seconds = min(cap, base * 2 ** (attempt_number - 1))
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - jitter, not security


def _retry_after(value: str | None, *, now: datetime) -> timedelta | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = timedelta(seconds=int(value))
    else:
        try:
            wait = parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            return None
    return min(max(wait, timedelta(0)), settings.WEBHOOK_RETRY_AFTER_MAX)


def delivery_attempt(*, delivery_id: str) -> WebhookAttempt | None:
    """Make one attempt of a due delivery (the Celery task's body). Returns None if it was not due.

    The delivery is claimed with a conditional UPDATE (a lease), then posted outside any transaction,
    then the attempt and the next state are written. Non-2xx, timeouts, connection errors and redirects
    schedule a retry with backoff (or the receiver's Retry-After, if later) until ``retry_until``;
    410 Gone disables the endpoint.
    """
    now = timezone.now()
    # Longer than an attempt can last (its deadline, with room for the writes around it); a worker that
    # dies mid-attempt frees the delivery when it expires. The attempt's final write checks the lease is
    # still this one, so a worker that outlived it (a paused process) cannot overwrite its successor's.
    lease = now + timedelta(seconds=settings.WEBHOOK_ATTEMPT_DEADLINE_SECONDS + 60)
    # A task may fire a hair before next_attempt_at (clock rounding of the ETA); a second's tolerance.
    claimed = (
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at__lte=now + timedelta(seconds=1),
        )
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=lease)
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint", "event").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=WebhookDelivery.Status.FAILED,
            next_attempt_at=None,
            locked_until=None,
            last_error="Endpoint disabled.",
        )
        return None

    body = event.body.encode()
    started_at = timezone.now()
    try:
        response = _send(endpoint=endpoint, event_id=event.id, body=body, started_at=started_at)
    except Exception as exc:
        # Whatever went wrong (a secret unreadable after SECRET_KEY changed without a fallback, a bug),
        # log it as a failed attempt so the delivery keeps its schedule instead of holding its lease.
        logger.exception("Webhook delivery %s failed unexpectedly", delivery_id)
        response = transport.Response(
            status=None, body="", retry_after=None, duration_ms=0, error=f"internal error: {exc!r}"
        )
    return _attempt_record(delivery=delivery, response=response, started_at=started_at, lease=lease)


def _send(
    *, endpoint: WebhookEndpoint, event_id: str, body: bytes, started_at: datetime
) -> transport.Response:
    try:
        target = transport.url_resolve(endpoint.url)
    except transport.UnsafeURL as exc:
        return transport.Response(
            status=None, body="", retry_after=None, duration_ms=0, error=f"refused: {exc}"
        )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Teeckin-Webhooks/1",
        **signing.signature_headers(
            secret=signing.secret_decrypt(endpoint.secret_encrypted),
            message_id=event_id,
            timestamp=int(started_at.timestamp()),
            body=body,
        ),
    }
    return transport.post(target=target, body=body, headers=headers)


@transaction.atomic
def _attempt_record(
    *, delivery: WebhookDelivery, response: transport.Response, started_at: datetime, lease: datetime
) -> WebhookAttempt | None:
    """Record the attempt and the delivery's next state, only if this attempt still holds its lease.

    None when the lease was lost (expired and claimed again, or redelivered): the other holder owns the
    delivery's state now, and this attempt's outcome is only logged.
    """
    number = delivery.attempt_count + 1
    succeeded = response.status is not None and 200 <= response.status < 300
    now = timezone.now()
    changes: dict[str, object] = {
        "attempt_count": number,
        "last_status_code": response.status,
        "last_error": (response.error or ("" if succeeded else f"HTTP {response.status}"))[:500],
        "locked_until": None,
        "updated_at": now,
    }
    retry_eta = None
    if succeeded:
        changes.update(status=WebhookDelivery.Status.DELIVERED, next_attempt_at=None)
    elif response.status == 410:
        changes.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
    else:
        wait = retry_delay(attempt_number=number)
        asked = _retry_after(response.retry_after, now=now)
        next_at = now + max(wait, asked or timedelta(0))
        if next_at > delivery.retry_until:
            changes.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
        else:
            changes["next_attempt_at"] = next_at
            # Short waits ride on a Celery ETA. Long ones are left to the sweeper: a Redis broker
            # re-delivers unacknowledged ETA messages after its visibility timeout (an hour), and
            # workers would hold hours-away messages in memory.
            if next_at - now <= settings.WEBHOOK_RETRY_ETA_MAX:
                retry_eta = next_at
    held = WebhookDelivery.objects.filter(
        pk=delivery.pk, status=WebhookDelivery.Status.PENDING, locked_until=lease
    ).update(**changes)
    if not held:
        logger.warning(
            "Webhook delivery %s: attempt %s (%s) finished after its lease was lost; not recorded",
            delivery.pk,
            number,
            response.error or f"HTTP {response.status}",
        )
        return None
    if response.status == 410:
        # The receiver says the endpoint is gone for good: stop sending it anything.
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
            active=False, disabled_reason=f"The receiver answered 410 Gone on {now:%Y-%m-%d %H:%M} UTC."
        )
    if retry_eta is not None:
        enqueue_on_commit(delivery.id, eta=retry_eta)
    for name, value in changes.items():
        setattr(delivery, name, value)
    return WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started_at,
        duration_ms=response.duration_ms,
        status_code=response.status,
        error=response.error[:500],
        response_body=response.body,
        succeeded=succeeded,
    )


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, now: datetime | None = None) -> WebhookDelivery:
    """Send a delivery again now (admin "redeliver"), with the same webhook-id and a fresh retry window."""
    now = now or timezone.now()
    # An UPDATE of these fields only: the caller's copy may be stale (attempt count, last status).
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.PENDING,
        next_attempt_at=now,
        retry_until=now + settings.WEBHOOK_RETRY_WINDOW,
        locked_until=None,
        updated_at=now,
    )
    enqueue_on_commit(delivery.id)
    delivery.refresh_from_db()
    return delivery


def delivery_logs_prune(*, now: datetime | None = None) -> int:
    """Delete finished deliveries (with their attempts) and events older than WEBHOOK_LOG_RETENTION.

    Pending deliveries are kept whatever their age: they are still owed to someone.
    """
    cutoff = (now or timezone.now()) - settings.WEBHOOK_LOG_RETENTION
    deleted, _ = (
        WebhookDelivery.objects.filter(created_at__lt=cutoff)
        .exclude(status=WebhookDelivery.Status.PENDING)
        .delete()
    )
    events, _ = WebhookEvent.objects.filter(created_at__lt=cutoff, deliveries__isnull=True).delete()
    return deleted + events
