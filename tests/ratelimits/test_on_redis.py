"""The acceptance tests on a real Redis server (skipped when REDIS_URL is unset; CI has Redis)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from rest_framework.test import APIClient

from tests.fixtures.auth import api_client_for
from tests.ratelimits.helpers import set_limits

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs a Redis server: set REDIS_URL (CI does)"),
    pytest.mark.urls("tests.ratelimits.urls"),
]

TIMER = "/api/test/timer/start"


@pytest.fixture(autouse=True)
def on_redis() -> None:
    assert caches["default"].__class__.__name__ == "RedisCache"


@pytest.fixture
def one_window() -> Iterator[None]:
    """Stop the clock so a test's requests cannot straddle the end of a one-minute window."""
    with time_machine.travel(datetime.now(UTC), tick=False):
        yield


def test_the_eleventh_timer_start_in_a_minute_is_refused(owner_api: APIClient, one_window: None) -> None:
    allowed = [owner_api.post(TIMER) for _ in range(10)]
    refused = owner_api.post(TIMER)

    assert [r.status_code for r in allowed] == [200] * 10
    assert [r["X-RateLimit-Remaining"] for r in allowed] == [str(n) for n in range(9, -1, -1)]
    assert {(r["X-RateLimit-Bucket"], r["X-RateLimit-Limit"]) for r in allowed} == {("timer", "10")}
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["code"] == "RATE_LIMITED"
    assert refused.json()["details"]["bucket"] == "timer"


def test_a_second_agent_is_unaffected(
    owner_api: APIClient, teammate_api: APIClient, one_window: None
) -> None:
    for _ in range(11):
        owner_api.post(TIMER)

    response = teammate_api.post(TIMER)

    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "9"


@pytest.mark.django_db(transaction=True)  # the threads' own connections must see the agent
def test_fifty_parallel_timer_starts_let_ten_through(
    owner_agent: Any, one_window: None, settings: Any
) -> None:
    # Clients are made first, in this thread: with real tokens that is 50 token requests, not the subject.
    set_limits(settings, {"token_ip": "1000/m", "token_client": "1000/m"})
    clients = [api_client_for(owner_agent) for _ in range(50)]
    start = threading.Barrier(50)

    def start_timer(client: APIClient) -> int:
        try:
            start.wait()
            return client.post(TIMER).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(start_timer, clients))

    # A counter that read, then wrote, would let most of them through (checked: 50 of 50).
    assert statuses.count(200) == 10
    assert statuses.count(429) == 40
