"""Idempotency tasks: thin wrappers around services. The beat schedule is CELERY_BEAT_SCHEDULE."""

from __future__ import annotations

from celery import shared_task

from apps.idempotency import services


@shared_task(ignore_result=True)
def idempotency_keys_prune() -> int:
    return services.idempotency_keys_prune()
