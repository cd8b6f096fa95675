"""Redis unreachable (the cache pointed at a closed port): the real API keeps answering, never a 500.

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

from apps.clocked_times.models import ClockedTime
from apps.core.cache_breaker import cache_breaker_reset
from apps.topics.models import Topic
from tests.fixtures.auth import AgentCredentials, api_client_for, token_form
from tests.ratelimits.helpers import limit_headers, set_limits

AGENT_START = "/api/agent/timer/start"
TOKEN = "/api/oauth/token"


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


def test_a_real_token_request_succeeds_and_is_counted_in_the_process(
    owner_agent: AgentCredentials, client: Client
) -> None:
    response = client.post(TOKEN, token_form(owner_agent))

    assert response.status_code == 200
    assert response.json()["access_token"].startswith("tat_")
    # Counted locally ("local" policy), so the headers are honest numbers.
    assert limit_headers(response)["Bucket"] == "token_client"
    # Only failures count per client (issue 9): a success leaves all 10 of them.
    assert limit_headers(response)["Remaining"] == "10"


def test_agent_requests_pass_uncounted_and_it_is_logged(
    owner_agent: AgentCredentials,
    owner: Any,
    topic: Topic,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    set_limits(settings, {"timer": "2/m"})
    api = api_client_for(owner_agent)  # its token request already found Redis down
    # Start the breaker and the log afresh, so the warning below is the one these requests cause.
    cache_breaker_reset()
    caplog.clear()

    with caplog.at_level(logging.WARNING, logger="teeckin.ratelimits"):
        starts = [api.post(AGENT_START, {"topic": "Project Alpha"}, format="json") for _ in range(4)]
        stop = api.post("/api/agent/timer/stop", {}, format="json")
        status = api.get("/api/agent/timer")

    assert [r.status_code for r in starts] == [201] * 4  # over the timer limit of 2: uncounted
    assert stop.status_code == 200
    assert status.status_code == 200 and status.json()["running"] is False
    assert ClockedTime.objects.filter(user=owner).count() == 4
    assert all(limit_headers(r)["Limit"] is None for r in [*starts, stop, status])
    # Logged once when the counters became unreachable, not once per request.
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1


def test_requests_without_credentials_still_get_their_answer(db: None) -> None:
    client = APIClient()

    assert client.get("/api/agent/timer").status_code == 401
    assert client.get("/api/agent/timer", HTTP_AUTHORIZATION="Bearer tat_unknown").status_code == 401
    assert client.get("/api/no/such/thing").status_code == 404


def test_the_token_endpoint_keeps_limiting_in_the_process(
    owner_agent: AgentCredentials, client: Client, settings: Any
) -> None:
    set_limits(settings, {"token_client": "2/m"})
    wrong = {**token_form(owner_agent), "client_secret": "tcs_guess"}

    statuses = [client.post(TOKEN, wrong).status_code for _ in range(3)]

    assert statuses == [401, 401, 429]
    assert client.post(TOKEN, token_form(owner_agent)).status_code == 429


def test_a_bucket_can_fail_closed(owner_api: APIClient, topic: Topic, settings: Any) -> None:
    set_limits(settings, ON_CACHE_ERROR={**settings.RATELIMITS["ON_CACHE_ERROR"], "timer": "closed"})

    refused = owner_api.post(AGENT_START, {"topic": "Project Alpha"}, format="json")

    assert refused.status_code == 429
    assert refused.json()["code"] == "RATE_LIMITED"
    assert refused.json()["details"]["bucket"] == "timer"
    assert owner_api.get("/api/agent/timer").status_code == 200
