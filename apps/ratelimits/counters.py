"""Sliding-window counters from the ``limits`` package: where they live and how one is read.

The algorithm is ``limits``' sliding window counter: the current fixed window's count plus the previous
window's, weighted by how much of it still overlaps the last ``period`` seconds. Unlike fixed windows it
never lets twice a limit through around a boundary, and it keeps two integers per key (a moving log would
keep one entry per request: 5,000 for a pro organization's hour).

Counters live in the Redis of the default cache (``settings.CACHES``) when that is a RedisCache, with the
cache's socket timeouts, and in this process otherwise (``./dev run``, the SQLite test run). On Redis one
bucket costs one round trip: the library's atomic acquire script and its window read go out together in
one pipeline (``_SlidingWindowRedis.acquire_and_read``).
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from limits import RateLimitItem, RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter
from redis.exceptions import NoScriptError

_RATE = re.compile(r"(\d+)/(\d*)([smhd]?)")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "": 1}


def rate_parse(rate: str) -> tuple[int, int]:
    """``"30/m"`` → (30, 60); ``"100/5m"`` → (100, 300). The format of ``settings.RATELIMITS``."""
    match = _RATE.fullmatch(rate)
    if match is None:
        raise ImproperlyConfigured(f"{rate!r} is not a rate like '30/m'.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


@dataclass(frozen=True)
class Count:
    """One bucket for one identity: whether this request fits, what is left, when a slot frees."""

    allowed: bool
    remaining: int
    reset: int  # whole seconds (at least 1) until one more request fits


@lru_cache(maxsize=64)
def _item(limit: int, period: int) -> RateLimitItem:
    return RateLimitItemPerSecond(limit, period)


def _from_window(
    item: RateLimitItem, allowed: bool, previous: int, previous_ttl: float, current: int, current_ttl: float
) -> Count:
    """The library's own arithmetic (``SlidingWindowCounterRateLimiter.get_window_stats``)."""
    expiry = item.get_expiry()
    weighted = previous * previous_ttl / expiry + current
    remaining = max(0, item.amount - math.floor(weighted))
    reset = math.inf
    if previous:
        reset = previous_ttl % (expiry / previous)
    if current:
        reset = min(reset, current_ttl % expiry)
    seconds = 0 if reset == math.inf else reset
    return Count(allowed=allowed, remaining=remaining, reset=max(1, math.ceil(seconds)))


class _SlidingWindowRedis(RedisStorage):
    def _keys(self, key: str) -> list[str]:
        return [
            self.prefixed_key(self._previous_window_key(key)),
            self.prefixed_key(self._current_window_key(key)),
        ]

    def _acquire_and_read_once(self, keys: list[str], limit: int, expiry: int, acquire: bool) -> list[Any]:
        pipe = self.get_connection().pipeline(transaction=False)
        if acquire:
            pipe.evalsha(self.lua_acquire_sliding_window.sha, 2, *keys, limit, expiry, 1)
        pipe.evalsha(self.lua_sliding_window.sha, 2, *keys, expiry)
        return pipe.execute()

    def acquire_and_read(
        self, key: str, limit: int, expiry: int, *, acquire: bool = True
    ) -> tuple[bool, list]:
        """Acquire one entry (unless ``acquire`` is False: a read) and read the window, in one round trip.

        ``evalsha`` straight on the pipeline: redis-py's script objects would add a ``SCRIPT EXISTS``
        round trip to every pipeline. A Redis without the scripts (restarted, flushed) gets them loaded
        once and the call is made again.
        """
        keys = self._keys(key)
        try:
            results = self._acquire_and_read_once(keys, limit, expiry, acquire)
        except NoScriptError:
            connection = self.get_connection()
            for script in (self.lua_acquire_sliding_window, self.lua_sliding_window):
                script.sha = connection.script_load(script.script)
            results = self._acquire_and_read_once(keys, limit, expiry, acquire)
        window = results[-1] or [0, 0, 0, 0]
        allowed = bool(results[0]) if acquire else True
        return allowed, window


def _redis_options() -> tuple[str, float | None, float | None] | None:
    cache = settings.CACHES.get("default", {})
    if not cache.get("BACKEND", "").endswith("RedisCache"):
        return None
    options = cache.get("OPTIONS", {})
    location = cache["LOCATION"]
    location = location[0] if isinstance(location, list | tuple) else location.split(",")[0]
    return location, options.get("socket_timeout"), options.get("socket_connect_timeout")


@lru_cache(maxsize=8)
def _redis(location: str, socket_timeout: float | None, connect_timeout: float | None) -> _SlidingWindowRedis:
    return _SlidingWindowRedis(
        location,
        key_prefix="teeckin:rl",
        socket_timeout=socket_timeout,
        socket_connect_timeout=connect_timeout,
    )


class _InProcess:
    """The library's limiter on its in-memory storage: the store without Redis, and the fallback of
    buckets with the "local" policy while Redis is unreachable."""

    def __init__(self) -> None:
        self.storage = MemoryStorage()
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)

    def count(self, item: RateLimitItem, key: str, *, acquire: bool = True) -> Count:
        allowed = self.limiter.hit(item, key) if acquire else self.limiter.test(item, key)
        stats = self.limiter.get_window_stats(item, key)
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return Count(allowed=allowed, remaining=stats.remaining, reset=reset)

    def clear(self) -> None:
        self.storage.reset()


in_process = _InProcess()  # counting without Redis
fallback = _InProcess()  # the "local" policy while Redis is unreachable


def count(key: str, limit: int, period: int, *, acquire: bool = True) -> Count:
    """Count one request (``acquire``) or only look (a peek) in the bucket ``key``.

    Raises RedisError/OSError when Redis fails: the caller applies the bucket's failure policy.
    """
    item = _item(limit, period)
    redis_options = _redis_options()
    if redis_options is None:
        return in_process.count(item, key, acquire=acquire)
    storage = _redis(*redis_options)
    allowed, window = storage.acquire_and_read(item.key_for(key), limit, period, acquire=acquire)
    previous, previous_ttl, current, current_ttl = window
    counted = _from_window(
        item,
        allowed,
        int(previous or 0),
        max(0.0, float(previous_ttl or 0)) / 1000,
        int(current or 0),
        max(0.0, float(current_ttl or 0)) / 1000,
    )
    if not acquire:  # a peek: would one more request fit?
        return Count(allowed=counted.remaining > 0, remaining=counted.remaining, reset=counted.reset)
    return counted


def preload(key: str, limit: int, period: int, amount: int) -> None:
    """Put ``amount`` requests in a bucket at once (tests: quotas too large to reach with requests)."""
    item = _item(limit, period)
    redis_options = _redis_options()
    if redis_options is None:
        in_process.limiter.hit(item, key, cost=amount)
    else:
        _redis(*redis_options).acquire_sliding_window_entry(item.key_for(key), limit, period, amount)
