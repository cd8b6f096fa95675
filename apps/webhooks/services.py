"""Webhook services: subscriptions, the outbox (``event_record``) and delivery attempts.

Emitting an event is one line in a service, inside its transaction::

    event_record(organization=org, name="time_entry.started", data=lambda: ClockedTimeOutput(entry).data)

(or one of the typed helpers in apps.webhooks.events). The event and one delivery row per subscribed,
active endpoint are written in the caller's transaction; after commit a Celery task is enqueued for each
delivery, from a background thread (``apps.webhooks.publisher``), so the request never waits on the broker.
If that enqueue fails (Redis down or frozen) it is only logged: the delivery stays due in the database and
the periodic sweeper (``deliveries_enqueue_due``) enqueues it once the broker is back.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.errors import Conflict, NotFound, ValidationFailed
from apps.core.timefmt import iso_utc
from apps.organizations.models import Organization
from apps.webhooks import signing, transport
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from apps.webhooks.publisher import publish_later

logger = logging.getLogger(__name__)

# The events Teeckin emits, named as in ClockEye's catalogue so integrations written for it subscribe
# unchanged. (user.invited is never emitted yet: there is no invitation flow.)
EVENT_NAMES = (
    "time_entry.created",
    "time_entry.updated",
    "time_entry.deleted",
    "time_entry.started",
    "time_entry.stopped",
    "project.created",
    "project.updated",
    "project.deleted",
    "user.invited",
    "user.joined",
    "user.removed",
)
# What a subscription may name: ClockEye's whole catalogue. screenshot.captured is accepted so a ClockEye
# integration subscribes unchanged, and never emitted (Teeckin takes no screenshots).
SUBSCRIBABLE_EVENT_NAMES = (*EVENT_NAMES, "screenshot.captured")

EventData = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


# --- Subscriptions

# Active endpoints per organization id, remembered for one request (see ``subscriptions_remembered``): a
# timer start emits two events, and each would otherwise look the endpoints up again. None outside a
# request (Celery tasks, commands): every lookup then reads the table.
_remembered: ContextVar[dict[str, list[WebhookEndpoint]] | None] = ContextVar(
    "webhook_endpoints", default=None
)


@contextmanager
def subscriptions_remembered() -> Iterator[None]:
    """Within the block, an organization's active endpoints are read at most once (writes to its
    endpoints through this module forget them again)."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def subscriptions_known_none(organization_id: str) -> None:
    """Within a request, record that ``organization_id`` has no active endpoint, known from a query the
    request made anyway (the credential lookup asks), so its events need not look again."""
    remembered = _remembered.get()
    if remembered is not None:
        remembered.setdefault(organization_id, [])


def _subscriptions_forget(organization_id: str) -> None:
    remembered = _remembered.get()
    if remembered is not None:
        remembered.pop(organization_id, None)


def _endpoints_active(organization_id: str) -> list[WebhookEndpoint]:
    remembered = _remembered.get()
    if remembered is not None and organization_id in remembered:
        return remembered[organization_id]
    endpoints = list(WebhookEndpoint.objects.filter(organization_id=organization_id, active=True))
    if remembered is not None:
        remembered[organization_id] = endpoints
    return endpoints


def endpoint_url_check(url: str) -> None:
    """Refuse a URL the webhooks may not call (SSRF rules in apps.webhooks.transport)."""
    try:
        transport.url_resolve(url)
    except transport.UnsafeURL as exc:
        raise ValidationFailed(str(exc), code="WEBHOOK_URL_REFUSED", details={"url": [str(exc)]}) from exc


def _events_check(events: Iterable[str]) -> list[str]:
    events = list(dict.fromkeys(events))
    unknown = [name for name in events if name not in SUBSCRIBABLE_EVENT_NAMES]
    if unknown or not events:
        message = f"Unknown events: {', '.join(unknown)}." if unknown else "Subscribe to at least one event."
        raise ValidationFailed(message, details={"events": [message]})
    return events


@transaction.atomic
def endpoint_create(
    *,
    organization: Organization,
    url: str,
    events: Iterable[str],
    description: str = "",
    created_by: AbstractBaseUser | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; returns it with its signing secret, the only time the secret is readable."""
    events = _events_check(events)
    endpoint_url_check(url)
    # Each endpoint multiplies every event's deliveries; a cap keeps one organization from flooding workers.
    limit = settings.WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION
    # Count and insert under the organization's row lock: racing creates would each count below the cap.
    Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk", flat=True).get()
    if WebhookEndpoint.objects.filter(organization=organization).count() >= limit:
        raise Conflict(
            f"An organization can have at most {limit} webhook endpoints.", code="WEBHOOK_LIMIT_REACHED"
        )
    secret = signing.secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        events=events,
        description=description,
        secret_encrypted=signing.secret_encrypt(secret),
        created_by=created_by,
    )
    _subscriptions_forget(organization.pk)
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint; re-activating one (after a 410 or by hand) clears the reason it was disabled.

    ``endpoint`` only names the row: it is read again under its row lock and only the fields that change
    are written, so an edit of the description cannot re-enable an endpoint that a 410 disabled since the
    caller read it. Returns the endpoint as saved.
    """
    if url is not None:
        endpoint_url_check(url)  # outside the lock: it resolves the host name
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    if endpoint is None:  # deleted meanwhile
        raise NotFound("Webhook not found.", code="WEBHOOK_NOT_FOUND")
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = url
    if events is not None:
        changes["events"] = _events_check(events)
    if description is not None:
        changes["description"] = description
    if active is not None and active != endpoint.active:
        changes["active"] = active
        if active:
            changes["disabled_reason"] = ""
        elif not endpoint.disabled_reason:  # keep a more telling reason, such as a 410
            changes["disabled_reason"] = "Disabled by an administrator."
    for field, value in changes.items():
        setattr(endpoint, field, value)
    endpoint.save(update_fields=[*changes, "updated_at"])
    _subscriptions_forget(endpoint.organization_id)
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()
    _subscriptions_forget(endpoint.organization_id)


# --- The outbox


def event_record(
    *, organization: Organization | str, name: str, data: EventData, now: datetime | None = None
) -> WebhookEvent | None:
    """Write event ``name`` for ``organization`` to the outbox, in the caller's transaction.

    ``data`` is the object as the API returns it, or a callable producing it (called only when some
    endpoint subscribes, so services pay nothing for organizations without webhooks). Returns None when
    no active endpoint subscribes. ``organization`` may be given by id, which spares loading the row.
    """
    organization_id = organization if isinstance(organization, str) else organization.pk
    if name not in EVENT_NAMES:
        raise ValueError(f"Unknown webhook event {name!r}")
    endpoints = [endpoint for endpoint in _endpoints_active(organization_id) if name in endpoint.events]
    if not endpoints:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        event = WebhookEvent(organization_id=organization_id, name=name, created_at=now)
        payload = {
            "id": event.id,
            "event": name,
            "createdAt": iso_utc(now),
            "data": dict(data() if callable(data) else data),
        }
        event.body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        event.save()
        retry_until = now + settings.WEBHOOK_RETRY_WINDOW
        deliveries = WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now, retry_until=retry_until)
                for endpoint in endpoints
            ]
        )
        for delivery in deliveries:
            _enqueue_on_commit(delivery.id)
    return event


def _enqueue_on_commit(delivery_id: str, eta: datetime | None = None) -> None:
    transaction.on_commit(lambda: publish_later(lambda: delivery_enqueue(delivery_id=delivery_id, eta=eta)))


def delivery_enqueue(*, delivery_id: str, eta: datetime | None = None) -> bool:
    """Hand a delivery to the workers. Never raises: the outbox row is the source of truth, and the
    sweeper re-enqueues anything due, so a broker outage only delays delivery."""
    from apps.webhooks.tasks import webhook_deliver

    try:
        # retry=False: with the broker down, fail at once instead of holding the request for retries.
        webhook_deliver.apply_async(args=[delivery_id], eta=eta, retry=False)
    except Exception:
        logger.warning(
            "Could not enqueue webhook delivery %s; the sweeper will retry", delivery_id, exc_info=True
        )
        return False
    return True


def deliveries_enqueue_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Enqueue pending deliveries that are due and not being attempted (the periodic sweeper)."""
    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    return sum(delivery_enqueue(delivery_id=delivery_id) for delivery_id in due)


# --- Attempts


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
        _enqueue_on_commit(delivery.id, eta=retry_eta)
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
    _enqueue_on_commit(delivery.id)
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
