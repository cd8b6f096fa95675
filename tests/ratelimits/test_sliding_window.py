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

from apps.ratelimits.buckets import count_in_bucket


def test_no_second_burst_after_a_full_one_whenever_the_boundary_comes(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    request = RequestFactory().get("/api/agent/timer")
    start = 1_800_000_000.0  # a fixed instant; a window boundary falls somewhere in the next minute

    def burst(at: float) -> int:
        with time_machine.travel(at, tick=False):
            usages = [count_in_bucket(request, "read", "agent:burst", "10/m") for _ in range(10)]
        return sum(1 for usage in usages if usage is not None and not usage.limited)

    first = burst(start)
    later = [burst(start + second) for second in range(1, 61)]

    assert first == 10
    # A fixed window lets a whole second burst of 10 through right after its boundary. Here every burst
    # in the following minute gets at most a couple through: about the limit's pace, 10 a minute.
    assert max(later) <= 2, later
    assert sum(later) <= 12, later


def test_one_redis_round_trip_per_bucket(settings: Any, private_redis: Any, monkeypatch: Any) -> None:
    """Counting a request in a bucket (the atomic acquire and the window read) is one exchange with
    Redis: the brief's cost budget. Counted at redis-py's socket writes, on a private redis-server."""
    from redis.connection import AbstractConnection

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url(),
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    request = RequestFactory().get("/api/agent/timer")
    count_in_bucket(request, "read", "agent:trips", "10/m")  # connects and loads the scripts once
    sends: list[int] = []
    original = AbstractConnection.send_packed_command

    def counted(self: Any, command: Any, check_health: bool = True) -> None:
        sends.append(1)
        original(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counted)
    usages = [count_in_bucket(request, "read", "agent:trips", "10/m") for _ in range(3)]

    assert len(sends) == 3
    assert [usage.remaining for usage in usages if usage is not None] == [8, 7, 6]
