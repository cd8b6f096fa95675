"""One circuit breaker per process for the shared cache (Redis in production).

Rate-limit counters live in the cache. When Redis is unreachable every
call would wait for the connection timeout; after one failure, callers skip the cache for
``settings.CACHE_RETRY_SECONDS`` and fall back to what they do without it, so a dead Redis costs one
timeout every few seconds per process instead of one per call, and one log line instead of a flood.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

_down_until = 0.0


def cache_is_down() -> bool:
    return time.monotonic() < _down_until


def cache_failed(error: Exception, *, logger: logging.Logger, fallback: str) -> None:
    """Record a cache failure: skip the cache for a while and say (once per trip) what happens instead."""
    global _down_until
    retry = getattr(settings, "CACHE_RETRY_SECONDS", 5)
    _down_until = time.monotonic() + retry
    logger.warning(
        "Shared cache unreachable (%s: %s); %s for the next %s seconds.",
        type(error).__name__,
        error,
        fallback,
        retry,
    )


def cache_breaker_reset() -> None:
    global _down_until
    _down_until = 0.0
