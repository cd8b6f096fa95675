"""The 429 answer, for DRF views (an exception the envelope handler renders) and plain Django views."""

from __future__ import annotations

from django.http import JsonResponse

from apps.core.errors import DomainError, error_body
from apps.ratelimits.buckets import Usage


class RateLimited(DomainError):
    """429 with the bucket that refused in ``details``; DRF's handler sends ``wait`` as Retry-After."""

    status_code = 429
    code = "RATE_LIMITED"

    def __init__(self, usage: Usage | None) -> None:
        if usage is None:
            # A refusal we have no count for (django-ratelimit's own decorator used directly).
            self.wait: int | None = None
            super().__init__("Rate limit exceeded.", details={"bucket": "unknown"})
            return
        self.wait = usage.reset
        unit = "second" if self.wait == 1 else "seconds"
        super().__init__(
            f"Rate limit exceeded: {usage.description}. Expected available in {self.wait} {unit}.",
            details={
                "bucket": usage.bucket,
                "limit": usage.limit,
                "windowSeconds": usage.period,
                "retryAfter": usage.reset,
            },
        )


def rate_limited_response(usage: Usage | None) -> JsonResponse:
    """The same 429 for views outside DRF (the OAuth token endpoint, the middleware's own counting)."""
    exc = RateLimited(usage)
    response = JsonResponse(error_body(exc.message, exc.code, exc.details), status=exc.status_code)
    if exc.wait is not None:
        response["Retry-After"] = str(exc.wait)
    return response
