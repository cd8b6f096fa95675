"""DRF's hook into the limiter: listed in REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from apps.ratelimits.buckets import count_api_request
from apps.ratelimits.exceptions import RateLimited


class AgentRateThrottle(BaseThrottle):
    """Counts the request in its agent's buckets after authentication, before the view runs.

    A view opts into an extra bucket with ``throttle_scope`` (``"timer"`` for timer start and stop); the
    scope must be a bucket in ``settings.RATELIMITS["BUCKETS"]``. Raises instead of returning False so the
    429 names the bucket that refused.
    """

    def allow_request(self, request: Request, view: Any) -> bool:
        state = count_api_request(request, scope=getattr(view, "throttle_scope", None))
        if state.refusal is not None:
            raise RateLimited(state.refusal)
        return True

    def wait(self) -> float | None:
        return None
