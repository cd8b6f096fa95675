"""System checks for deployments that would run but misbehave."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.caches)
def check_shared_state(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """With DEBUG off, the cache and the broker must be shared by every process (Redis).

    Without it each gunicorn worker is an island: rate limits count per worker, topic-matching caches
    go stale across workers and webhook POSTs run inside requests. Fine for ``./dev run`` (DEBUG on), a
    trap in production, so it stops ``manage.py check`` (and with it ``migrate`` and ``runserver``).
    """
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    local_cache = backend.endswith(("LocMemCache", "DummyCache"))
    no_broker = settings.CELERY_TASK_ALWAYS_EAGER or settings.CELERY_BROKER_URL.startswith("memory://")
    if not (local_cache or no_broker):
        return []
    return [
        Error(
            "DEBUG is off but there is no shared cache and broker (REDIS_URL is not set): rate limits "
            "would count per process, topic-matching caches would go stale across processes and webhook "
            "deliveries would run inside requests.",
            hint="Set REDIS_URL (README, Configuration). For development, set DEBUG=1.",
            id="teeckin.E001",
        )
    ]
