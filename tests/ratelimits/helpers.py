from __future__ import annotations

from typing import Any

from django.conf import settings

from apps.ratelimits import counters
from apps.ratelimits.buckets import bucket_key


def set_limits(
    django_settings: Any, buckets: dict[str, str] | None = None, **overrides: Any
) -> dict[str, Any]:
    """Override some buckets (and other RATELIMITS keys) for one test, keeping the rest as configured."""
    limits = {**settings.RATELIMITS, **overrides}
    limits["BUCKETS"] = {**settings.RATELIMITS["BUCKETS"], **(buckets or {})}
    django_settings.RATELIMITS = limits
    return limits


def limit_headers(response: Any) -> dict[str, str | None]:
    return {
        name: response.headers.get(f"X-RateLimit-{name}")
        for name in ("Limit", "Remaining", "Reset", "Bucket")
    }


def counter_set(bucket: str, identity: str, rate: str, count: int) -> None:
    """Put ``count`` requests in a bucket's current window directly, as
    ``apps.ratelimits.buckets.count_in_bucket`` would have after that many requests: for quotas too large
    to reach with real requests in a test."""
    limit, period = counters.rate_parse(rate)
    counters.preload(bucket_key(bucket, identity), limit, period, count)
