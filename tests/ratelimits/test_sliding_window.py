"""Sliding windows: no burst of twice a limit around a window boundary.

With fixed windows, a full window's worth of requests at the end of one window and another at the start
of the next all pass: 2x the limit within a second. The sliding window counter weighs the previous window
by how much of it still overlaps the last minute, so after a full burst the next requests trickle back at
the limit's average pace. Counted in this process with the clock under the test's control (the Redis path
runs the same algorithm as a Lua script on the server's clock).
"""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import RequestFactory

from apps.ratelimits.buckets import charge


def test_no_second_burst_after_a_full_one_whenever_the_boundary_comes(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    request = RequestFactory().get("/api/agent/timer")
    start = 1_800_000_000.0  # a fixed instant; a window boundary falls somewhere in the next minute

    def burst(at: float) -> int:
        with time_machine.travel(at, tick=False):
            usages = [charge(request, "read", "agent:burst", "10/m") for _ in range(10)]
        return sum(1 for usage in usages if usage is not None and not usage.limited)

    first = burst(start)
    later = [burst(start + second) for second in range(1, 61)]

    assert first == 10
    # A fixed window lets a whole second burst of 10 through right after its boundary. Here every burst
    # in the following minute gets at most a couple through: about the limit's pace, 10 a minute.
    assert max(later) <= 2, later
    assert sum(later) <= 12, later
