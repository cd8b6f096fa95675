"""Redis unreachable (the cache pointed at a closed port): the API keeps answering, never a 500.

Agent and anonymous buckets fail open; the token endpoint keeps its brute-force protection by counting in
the process; any bucket can be set to fail closed. Runs without a Redis server.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.test import APIClient

from apps.ratelimits import buckets
from tests.ratelimits.helpers import limit_headers, set_limits

pytestmark = pytest.mark.urls("tests.ratelimits.urls")

TIMER = "/api/test/timer/start"


@pytest.fixture(autouse=True)
def redis_down(settings: Any) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with pytest.raises(RedisConnectionError):
        caches["default"].get("probe")


def test_agent_requests_pass_uncounted_and_it_is_logged(
    owner_api: APIClient, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    set_limits(settings, {"timer": "2/m"})
    # The owner_api fixture fetched its token through the (limited) token endpoint, which already found
    # Redis down; start the breaker afresh so the warning below is the one these requests cause.
    buckets.reset_cache_breaker()

    with caplog.at_level(logging.WARNING, logger="teeckin.ratelimits"):
        responses = [owner_api.post(TIMER) for _ in range(5)] + [owner_api.get("/api/test/things")]

    assert [r.status_code for r in responses] == [200] * 6
    assert all(limit_headers(r)["Limit"] is None for r in responses)
    # Logged once when the counters became unreachable, not once per request.
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1


def test_requests_without_credentials_still_get_their_answer(db: None) -> None:
    client = APIClient()

    assert client.get("/api/test/things").status_code == 401
    assert client.get("/api/no/such/thing").status_code == 404


def test_the_token_endpoint_keeps_limiting_in_the_process(client: Client, db: None, settings: Any) -> None:
    set_limits(settings, {"token_client": "2/m"})
    form = {"grant_type": "client_credentials", "client_id": "teeckin_agent_x", "client_secret": "guess"}

    statuses = [client.post("/api/oauth/token", form).status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


def test_a_bucket_can_fail_closed(owner_api: APIClient, settings: Any) -> None:
    set_limits(settings, ON_CACHE_ERROR={**settings.RATELIMITS["ON_CACHE_ERROR"], "timer": "closed"})

    refused = owner_api.post(TIMER)

    assert refused.status_code == 429
    assert refused.json()["details"]["bucket"] == "timer"
    assert owner_api.get("/api/test/things").status_code == 200
