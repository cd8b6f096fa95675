"""Webhook tasks: thin wrappers around services. The beat schedule is CELERY_BEAT_SCHEDULE in settings."""

from __future__ import annotations

from celery import shared_task

from apps.webhooks import deliveries, outbox


@shared_task(ignore_result=True)
def webhook_deliver(delivery_id: str) -> None:
    deliveries.delivery_attempt(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def webhook_deliveries_sweep() -> int:
    """Re-enqueue due deliveries whose first enqueue was lost (broker down) or whose worker died."""
    return outbox.deliveries_enqueue_due()


@shared_task(ignore_result=True)
def webhook_logs_prune() -> int:
    return deliveries.delivery_logs_prune()
