"""X-RateLimit-* headers on every /api/ response, and counting for what DRF's throttle never saw."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django_ratelimit.exceptions import Ratelimited

from apps.core.middleware import is_api_path
from apps.ratelimits.buckets import RateLimitState, count_api_request, rate_limit_state
from apps.ratelimits.exceptions import rate_limited_response


def apply_headers(response: HttpResponse, state: RateLimitState) -> None:
    usage = state.reported
    if usage is None:  # limiting off, or every bucket failed open: no honest numbers to give
        return
    response["X-RateLimit-Limit"] = str(usage.limit)
    response["X-RateLimit-Remaining"] = str(usage.remaining)
    response["X-RateLimit-Reset"] = str(usage.reset)
    response["X-RateLimit-Bucket"] = usage.bucket


class RateLimitMiddleware:
    """Adds the headers for the bucket that applied (see ``RateLimitState.reported``).

    Responses that no limiter counted, because the request failed before DRF's throttles run (bad or
    missing credentials: 401; permission refused: 403) or never reached a DRF view (unknown /api/ path),
    are counted here afterwards: per IP address when unauthenticated, so guessing credentials is limited
    too. Such a request did no work, so turning its answer into a 429 loses nothing.

    Must come after ``ApiErrorMiddleware`` in MIDDLEWARE so that its ``process_exception`` sees
    django-ratelimit's ``Ratelimited`` first (that one would make any exception a 500).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not is_api_path(request):
            return response
        state = rate_limit_state(request)
        # A 5xx did no work and may mean the database is away: counting it would only ask it again.
        if not state.evaluated and response.status_code < 500:
            state = count_api_request(request)
            if state.refusal is not None:
                response = rate_limited_response(state.refusal)
        apply_headers(response, state)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_api_path(request) and isinstance(exception, Ratelimited):
            return rate_limited_response(rate_limit_state(request).refusal)
        return None
