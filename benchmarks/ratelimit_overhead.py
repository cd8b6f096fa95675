"""Cost of rate limiting per API request: the Redis round trips of counting one request in its buckets.

    REDIS_URL=redis://127.0.0.1:6379/15 python benchmarks/ratelimit_overhead.py [requests]

Counts requests of one agent in "timer" + "write" (a timer start) and in "read" (a GET), the way the DRF
throttle does, without a view or a database (the plan quota adds one bucket and one primary-key query).
Uses its own key prefix; the keys expire by themselves within 65 seconds.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from apps.ratelimits.buckets import count_api_request  # noqa: E402


def main(requests: int) -> None:
    if not settings.REDIS_URL:
        sys.exit("Set REDIS_URL: the point is the cost of counting in Redis.")
    settings.RATELIMIT_CACHE_PREFIX = f"rl:bench-{uuid.uuid4().hex}:"
    # Limits high enough that nothing is refused: refusal stops counting early and would flatter the figure.
    settings.RATELIMITS = {
        **settings.RATELIMITS,
        "BUCKETS": {
            **settings.RATELIMITS["BUCKETS"],
            "read": "1000000/m",
            "write": "1000000/m",
            "timer": "1000000/m",
        },
    }
    factory = RequestFactory()
    agent = SimpleNamespace(pk=1, organization_id=None)
    for method, scope, label in (("post", "timer", "timer start (timer + write)"), ("get", None, "read")):
        started = time.perf_counter()
        for _ in range(requests):
            request = getattr(factory, method)("/api/bench")
            request.auth, request.user = SimpleNamespace(application=agent), None
            count_api_request(request, scope=scope)
        elapsed = time.perf_counter() - started
        print(f"{label:30} {elapsed / requests * 1e6:8.0f} µs per request ({requests} requests)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
