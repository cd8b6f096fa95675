from __future__ import annotations

from typing import Any

from django.conf import settings


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
