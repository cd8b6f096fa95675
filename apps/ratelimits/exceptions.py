"""The 429 answer, for DRF views (an exception the envelope handler renders) and plain Django views."""

from __future__ import annotations

from django.http import JsonResponse
from rest_framework.exceptions import Throttled

from apps.core.errors import error_body
from apps.ratelimits.buckets import Usage


class RateLimited(Throttled):
    """429 with ``code: RATE_LIMITED`` and the bucket in ``details``.

    A ``Throttled`` so DRF's handler sets ``Retry-After`` from ``wait``; ``envelope_code`` and
    ``envelope_details`` are what our envelope handler puts in ``code`` and ``details``.
    """

    envelope_code = "RATE_LIMITED"

    def __init__(self, usage: Usage | None) -> None:
        if usage is None:
            # A refusal we have no count for (django-ratelimit's own decorator used directly).
            self.envelope_details = {"bucket": "unknown"}
            super().__init__(detail="Rate limit exceeded.")
            return
        self.envelope_details = {
            "bucket": usage.bucket,
            "limit": usage.limit,
            "windowSeconds": usage.period,
            "retryAfter": usage.reset,
        }
        super().__init__(wait=usage.reset, detail=f"Rate limit exceeded: {usage.description}.")


def rate_limited_response(usage: Usage | None) -> JsonResponse:
    """The same 429 for views outside DRF (the OAuth token endpoint, the middleware's own counting)."""
    exc = RateLimited(usage)
    response = JsonResponse(
        error_body(str(exc.detail), exc.envelope_code, exc.envelope_details), status=exc.status_code
    )
    if exc.wait is not None:
        response["Retry-After"] = str(exc.wait)
    return response
