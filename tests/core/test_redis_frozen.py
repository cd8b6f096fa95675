"""A frozen Redis (SIGSTOP: connections accepted, nothing answered) as the cache: answers still come
within a second, and the rate limits fail open. Uses a private redis-server, never the shared one."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.cache import caches

from apps.clocked_times.models import ClockedTime
from apps.topics.models import Topic
from tests.fixtures.auth import AgentCredentials, api_client_for
from tests.fixtures.deps import PrivateRedis
from tests.ratelimits.helpers import limit_headers


@pytest.fixture
def cache_on_private_redis(settings: Any, private_redis: PrivateRedis) -> PrivateRedis:
    from config.settings.base import REDIS_TIMEOUT_SECONDS

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": private_redis.url(),
            # The shipped options: the point is that they bound every call.
            "OPTIONS": {
                "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    caches["default"].set("probe", 1)
    return private_redis


def test_the_shipped_cache_settings_time_out_connect_and_read_well_under_a_second() -> None:
    from config.settings import base

    assert 0 < base.REDIS_TIMEOUT_SECONDS < 1
    assert base.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] < 1
    assert base.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"] < 1


def test_writes_and_reads_answer_within_a_second_while_the_cache_is_frozen(
    cache_on_private_redis: PrivateRedis, owner_agent: AgentCredentials, topic: Topic, owner: Any
) -> None:
    api = api_client_for(owner_agent)  # token issued (and counted) while Redis answers
    assert limit_headers(api.get("/api/agent/timer"))["Limit"] is not None

    with cache_on_private_redis.frozen_for(5):
        timings = []
        for request in (
            lambda: api.post("/api/agent/timer/start", {"topic": "Project Alpha"}, format="json"),
            lambda: api.get("/api/agent/timer"),
            lambda: api.post("/api/agent/timer/stop", {}, format="json"),
        ):
            started = time.monotonic()
            response = request()
            timings.append((response.status_code, time.monotonic() - started))

    assert [status for status, _ in timings] == [201, 200, 200]
    # The first call pays one read timeout (0.25 s); the breaker spares the others even that.
    assert all(seconds < 1 for _, seconds in timings), timings
    assert ClockedTime.objects.filter(user=owner).count() == 1


def test_the_cache_is_used_again_after_the_thaw(
    cache_on_private_redis: PrivateRedis, owner_agent: AgentCredentials, settings: Any
) -> None:
    settings.CACHE_RETRY_SECONDS = 0.2
    api = api_client_for(owner_agent)
    with cache_on_private_redis.frozen_for(3):
        assert limit_headers(api.get("/api/agent/timer"))["Limit"] is None  # failed open, uncounted
    time.sleep(0.3)

    assert limit_headers(api.get("/api/agent/timer"))["Limit"] is not None  # counted again
