"""The outbox: an event and its deliveries are written in the caller's transaction, and handed to the
workers only after it commits.

Emitting an event is one line in a service, inside its transaction (each app has typed helpers in its
own ``events.py``)::

    event_record(organization=org, name="time_entry.started", data=lambda: ClockedTimeOutput(entry).data)

The Celery task is enqueued after commit from a background thread (``apps.webhooks.publisher``), so the
request never waits on the broker. If that enqueue fails (Redis down or frozen) it is only logged: the
delivery stays due in the database and the periodic sweeper (``deliveries_enqueue_due``) enqueues it
once the broker is back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from apps.core.timefmt import iso_utc
from apps.webhooks.models import WebhookDelivery, WebhookEvent
from apps.webhooks.publisher import publish_later
from apps.webhooks.subscriptions import EVENT_NAMES, endpoints_active

logger = logging.getLogger(__name__)

EventData = Mapping[str, Any] | Callable[[], Mapping[str, Any]]


def event_record(
    *, organization: Model | str, name: str, data: EventData, now: datetime | None = None
) -> WebhookEvent | None:
    """Write event ``name`` for ``organization`` to the outbox, in the caller's transaction.

    ``data`` is the object as the API returns it, or a callable producing it (called only when some
    endpoint subscribes, so services pay nothing for organizations without webhooks). Returns None when
    no active endpoint subscribes. ``organization`` may be given by id, which spares loading the row.
    """
    organization_id = organization if isinstance(organization, str) else organization.pk
    if name not in EVENT_NAMES:
        raise ValueError(f"Unknown webhook event {name!r}")
    endpoints = [endpoint for endpoint in endpoints_active(organization_id) if name in endpoint.events]
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
            enqueue_on_commit(delivery.id)
    return event


def enqueue_on_commit(delivery_id: str, eta: datetime | None = None) -> None:
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
