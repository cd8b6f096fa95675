"""Acceptance of issue 4 on the real agent API: real tokens, the shipped limits, on both counter stores.

Every test runs with the counters in this process (a LocMem cache: ./dev run, the SQLite run) and in a real
Redis (when REDIS_URL is set; CI has it): the buckets, limits and refusals are the same code on both, only
where the counts live differs. The rules behind these numbers (which bucket counts what, headers,
refusals) are also tested at small limits on whichever cache a run has, in test_buckets.py.
"""

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
from django.test import Client
from rest_framework.test import APIClient

from apps.agents.services import api_key_create
from apps.clocked_times.models import ClockedTime
from apps.organizations.models import Organization
from apps.topics.models import Topic
from tests.conftest import requires_postgres
from tests.fixtures.auth import AgentCredentials, api_client_for, issue_token, make_agent, token_form
from tests.ratelimits.helpers import counter_set, limit_headers

ON_REDIS = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs a Redis server: set REDIS_URL (CI does)"),
]

AGENT_START = "/api/agent/timer/start"
AGENT_STOP = "/api/agent/timer/stop"
TOKEN = "/api/oauth/token"
# Every GET endpoint an agent reads, so the read bucket is shown to be the agent's, not an endpoint's.
READS = [
    "/api/agent/timer",
    "/api/agent/topics",
    "/api/agent/tags",
    "/api/agent/me",
    "/api/topics/for-agent",
    "/api/timer/active",
    "/api/v1/timer/active",
    "/api/clocked-times",
    "/api/topics",
    "/api/categories",
    "/api/tags",
]


@pytest.fixture(
    autouse=True,
    params=["in-process", pytest.param("redis", marks=ON_REDIS)],
)
def counter_store(request: pytest.FixtureRequest, settings: Any) -> str:
    """Where the counters live: a LocMem default cache counts in this process, a RedisCache in Redis."""
    if request.param == "in-process":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    expected = {"in-process": "LocMemCache", "redis": "RedisCache"}[request.param]
    assert caches["default"].__class__.__name__ == expected
    return request.param


@pytest.fixture
def one_window() -> Iterator[None]:
    """Stop the clock so a test's requests cannot straddle the end of a window (one minute, one hour)."""
    with time_machine.travel(datetime.now(UTC), tick=False):
        yield


def start(client: APIClient, topic: str = "Project Alpha") -> Any:
    return client.post(AGENT_START, {"topic": topic}, format="json")


def assert_refused(response: Any, bucket: str, limit: int, window: int) -> None:
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= window
    period = "minute" if window == 60 else "hour"
    seconds = "second" if retry_after == 1 else "seconds"  # DRF's wording for Throttled
    assert response.json() == {
        "error": f"Rate limit exceeded: {limit} requests per {period} in bucket '{bucket}'. "
        f"Expected available in {retry_after} {seconds}.",
        "code": "RATE_LIMITED",
        "details": {"bucket": bucket, "limit": limit, "windowSeconds": window, "retryAfter": retry_after},
    }
    assert limit_headers(response) == {
        "Limit": str(limit),
        "Remaining": "0",
        "Reset": str(retry_after),
        "Bucket": bucket,
    }


# --- Timer operations: 10 a minute per agent.
def test_the_eleventh_timer_start_in_a_minute_is_refused(
    owner_api: APIClient, owner: Any, topic: Topic, one_window: None
) -> None:
    allowed = [start(owner_api) for _ in range(10)]
    refused = start(owner_api)

    assert [r.status_code for r in allowed] == [201] * 10
    assert [r["X-RateLimit-Remaining"] for r in allowed] == [str(n) for n in range(9, -1, -1)]
    assert {(r["X-RateLimit-Bucket"], r["X-RateLimit-Limit"]) for r in allowed} == {("timer", "10")}
    assert_refused(refused, "timer", 10, 60)
    # Refused before the view ran: the tenth start is still the running timer, nothing else was written.
    assert ClockedTime.objects.filter(user=owner).count() == 10
    running = ClockedTime.objects.get(user=owner, end_time__isnull=True)
    assert running.pk == allowed[-1].json()["clockedTimeId"]


def test_start_and_stop_on_both_surfaces_share_the_timer_bucket(
    owner_api: APIClient, topic: Topic, one_window: None
) -> None:
    operations = [
        lambda: start(owner_api),
        lambda: owner_api.post(AGENT_STOP, {}, format="json"),
        lambda: owner_api.post("/api/timer/start", {"topicId": topic.pk}, format="json"),
        lambda: owner_api.post("/api/timer/stop", {}, format="json"),
        lambda: owner_api.post("/api/v1/timer/start", {"topicId": topic.pk}, format="json"),
    ]
    # A stop with nothing running (404 NO_ACTIVE_TIMER) is a timer operation too: it is counted first.
    answers = [operations[n % 5]() for n in range(9)] + [
        owner_api.post("/api/v1/timer/stop", {}, format="json")
    ]
    refusals = [operation() for operation in operations]

    assert [r.status_code for r in answers] == [201, 200, 201, 200, 201, 201, 200, 201, 200, 404]
    assert [r["X-RateLimit-Remaining"] for r in answers] == [str(n) for n in range(9, -1, -1)]
    for refused in refusals:
        assert_refused(refused, "timer", 10, 60)
    # Other writes have their own, wider bucket: 30 a minute, of which the 10 counted timer operations used
    # 10 (the refused ones stopped at the timer bucket).
    logged = owner_api.post(
        "/api/agent/time", {"topic": "Project Alpha", "duration_minutes": 5}, format="json"
    )
    assert logged.status_code == 201
    assert limit_headers(logged)["Bucket"] == "write"
    assert limit_headers(logged)["Remaining"] == "19"


def test_another_agent_of_the_same_owner_or_organization_is_unaffected(
    owner: Any, owner_api: APIClient, teammate_api: APIClient, topic: Topic, one_window: None
) -> None:
    for _ in range(10):
        start(owner_api)
    assert start(owner_api).status_code == 429

    second_agent = api_client_for(make_agent(owner, "Owner's Cursor"))
    for client in (second_agent, teammate_api):
        response = start(client)
        assert response.status_code == 201
        assert limit_headers(response)["Bucket"] == "timer"
        assert limit_headers(response)["Remaining"] == "9"
    # The first agent is still refused: the second agent's starts did not open its window again.
    assert start(owner_api).status_code == 429


@requires_postgres  # threads with their own connections, serialised by PostgreSQL row locks
@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_timer_starts_let_ten_through(
    owner_agent: AgentCredentials, owner: Any, topic: Topic, one_window: None
) -> None:
    # One real token, shared by 50 clients made in this thread (50 token requests would hit token_ip).
    authorization = f"Bearer {issue_token(owner_agent)}"
    clients = [APIClient(HTTP_AUTHORIZATION=authorization) for _ in range(50)]
    barrier = threading.Barrier(50)

    def start_timer(client: APIClient) -> int:
        try:
            barrier.wait()
            return start(client).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(start_timer, clients))

    # A counter that read, then wrote (not atomic), would let most of them through.
    assert statuses.count(201) == 10
    assert statuses.count(429) == 40
    entries = ClockedTime.objects.filter(user=owner)
    assert entries.count() == 10
    assert entries.filter(end_time__isnull=True).count() == 1
    assert set(entries.values_list("agent_id", flat=True)) == {owner_agent.agent.pk}


# --- Reads: 120 a minute per agent.
def test_the_121st_read_in_a_minute_is_refused(
    owner_api: APIClient, org: Organization, topic: Topic, one_window: None
) -> None:
    org.plan = Organization.Plan.ENTERPRISE  # a free plan would refuse the 101st request first
    org.save(update_fields=["plan"])

    answers = [owner_api.get(READS[n % len(READS)]) for n in range(118)]
    answers += [owner_api.head("/api/agent/timer"), owner_api.options("/api/agent/topics")]
    refused = owner_api.get("/api/agent/timer")

    assert {r.status_code for r in answers} == {200}
    assert [r["X-RateLimit-Remaining"] for r in answers[-3:]] == ["2", "1", "0"]
    assert {(r["X-RateLimit-Bucket"], r["X-RateLimit-Limit"]) for r in answers} == {("read", "120")}
    assert_refused(refused, "read", 120, 60)
    # Writes are counted apart.
    assert start(owner_api).status_code == 201


# --- The organization's hourly quota by plan.
def test_a_free_organization_is_refused_after_100_requests_in_the_hour_and_enterprise_is_not(
    owner: Any,
    owner_api: APIClient,
    teammate_api: APIClient,
    outsider_api: APIClient,
    org: Organization,
    topic: Topic,
    one_window: None,
) -> None:
    assert org.plan == Organization.Plan.FREE  # the default these tests set (tests/ratelimits/conftest.py)
    # 100 real requests, reads and writes, by two agents of the organization.
    answers = [owner_api.get(READS[n % len(READS)]) for n in range(60)]
    answers += [
        start(teammate_api) if n % 4 == 0 else teammate_api.get(READS[n % len(READS)]) for n in range(40)
    ]
    refused = api_client_for(make_agent(owner, "Third agent")).get("/api/agent/timer")

    assert {r.status_code for r in answers} <= {200, 201}
    assert limit_headers(answers[-1]) == {
        "Limit": "100",
        "Remaining": "0",
        "Reset": answers[-1]["X-RateLimit-Reset"],
        "Bucket": "plan",
    }
    assert 1 <= int(answers[-1]["X-RateLimit-Reset"]) <= 3600
    assert_refused(refused, "plan", 100, 3600)
    # Another organization's quota is its own.
    assert limit_headers(outsider_api.get("/api/agent/timer"))["Remaining"] == "99"

    org.plan = Organization.Plan.ENTERPRISE
    org.save(update_fields=["plan"])
    unlimited = [owner_api.get("/api/agent/timer") for _ in range(3)]
    assert {r.status_code for r in unlimited} == {200}
    assert {r["X-RateLimit-Bucket"] for r in unlimited} == {"read"}


@pytest.mark.parametrize(("plan", "quota"), [("standard", 1000), ("pro", 5000)])
def test_the_paid_plans_quotas(
    owner_api: APIClient, org: Organization, one_window: None, plan: str, quota: int
) -> None:
    org.plan = plan
    org.save(update_fields=["plan"])
    # As if the organization had made all but one of its requests this hour.
    counter_set("plan", f"org:{org.pk}", f"{quota}/h", quota - 1)

    last = owner_api.get("/api/agent/timer")
    refused = owner_api.get("/api/agent/timer")

    assert last.status_code == 200
    assert (limit_headers(last)["Bucket"], limit_headers(last)["Remaining"]) == ("plan", "0")
    assert_refused(refused, "plan", quota, 3600)


# --- Personal API keys: a bucket per key.
def test_api_key_requests_are_limited_per_key(
    owner: Any, owner_api: APIClient, org: Organization, topic: Topic, one_window: None
) -> None:
    first_key = APIClient(HTTP_X_API_KEY=api_key_create(user=owner, name="CI").plaintext)
    second_key = APIClient(HTTP_X_API_KEY=api_key_create(user=owner, name="Exporter").plaintext)

    allowed = [start(first_key) for _ in range(10)]
    refused = start(first_key)

    assert [r.status_code for r in allowed] == [201] * 10
    assert [r["X-RateLimit-Remaining"] for r in allowed] == [str(n) for n in range(9, -1, -1)]
    assert_refused(refused, "timer", 10, 60)
    # The same user's other key and agent count on their own.
    for client in (second_key, owner_api):
        response = start(client)
        assert response.status_code == 201
        assert limit_headers(response)["Remaining"] == "9"


# --- The token endpoint: per client id and per IP address, every attempt.
def test_guessing_an_agents_secret_from_one_address_is_refused_after_ten_failures(
    owner_agent: AgentCredentials, teammate_agent: AgentCredentials, client: Client, one_window: None
) -> None:
    # Issue 9 changed this: failures count per (client id, address), so a guesser who knows a client id
    # no longer locks the real agent, calling from elsewhere, out of new tokens.
    wrong = {**token_form(owner_agent), "client_secret": "tcs_" + "x" * 43}
    guesses = [client.post(TOKEN, wrong, REMOTE_ADDR="203.0.113.1") for _ in range(10)]
    refused = client.post(TOKEN, wrong, REMOTE_ADDR="203.0.113.1")

    assert {r.status_code for r in guesses} == {401}
    assert {r.json()["error"] for r in guesses} == {"invalid_client"}
    assert [r["X-RateLimit-Remaining"] for r in guesses] == [str(n) for n in range(9, -1, -1)]
    assert {r["X-RateLimit-Bucket"] for r in guesses} == {"token_client"}
    # The 429 is the API's error envelope (RFC 6749 has no error code for it), not an OAuth error.
    assert_refused(refused, "token_client", 10, 60)
    # Even the right secret waits, from that address; the real agent elsewhere and others do not.
    assert client.post(TOKEN, token_form(owner_agent), REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.post(TOKEN, token_form(owner_agent), REMOTE_ADDR="198.51.100.7").status_code == 200
    assert client.post(TOKEN, token_form(teammate_agent), REMOTE_ADDR="203.0.113.1").status_code == 200


def test_a_guess_spread_over_many_addresses_is_refused_after_a_hundred_failures(
    owner_agent: AgentCredentials, client: Client, one_window: None
) -> None:
    wrong = {**token_form(owner_agent), "client_secret": "tcs_" + "x" * 43}
    guesses = [client.post(TOKEN, wrong, REMOTE_ADDR=f"203.0.{n // 250}.{n % 250}") for n in range(100)]
    refused = client.post(TOKEN, wrong, REMOTE_ADDR="198.51.100.200")

    assert {r.status_code for r in guesses} == {401}
    assert guesses[-1]["X-RateLimit-Bucket"] == "token_client_all"
    assert_refused(refused, "token_client_all", 100, 60)
    # At that ceiling the client id is locked everywhere: the price of stopping a distributed guess.
    assert client.post(TOKEN, token_form(owner_agent), REMOTE_ADDR="198.51.100.7").status_code == 429


def test_successful_token_requests_use_up_no_failure_budget(
    owner_agent: AgentCredentials, client: Client, one_window: None
) -> None:
    answers = [client.post(TOKEN, token_form(owner_agent), REMOTE_ADDR="203.0.113.1") for _ in range(12)]
    assert {r.status_code for r in answers} == {200}


def test_one_address_trying_many_clients_is_refused_after_thirty_attempts(
    db: None, client: Client, one_window: None
) -> None:
    def attempt(n: int, ip: str = "198.51.100.1") -> Any:
        form = {
            "grant_type": "client_credentials",
            "client_id": f"teeckin_agent_{n:032x}",
            "client_secret": "tcs_x",
        }
        return client.post(TOKEN, form, REMOTE_ADDR=ip)

    answers = [attempt(n) for n in range(30)]
    refused = attempt(30)

    assert {r.status_code for r in answers} == {401}
    assert [r["X-RateLimit-Remaining"] for r in answers[-3:]] == ["2", "1", "0"]
    assert_refused(refused, "token_ip", 30, 60)
    assert attempt(31, ip="198.51.100.2").status_code == 401
