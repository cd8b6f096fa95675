"""Bucket rules on the real agent API, at small limits, on whichever cache the run has (in-process
without REDIS_URL, Redis in CI). The shipped limits are tested on Redis in test_agent_endpoints.py."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from apps.agents.services import api_key_create
from apps.organizations.models import Organization
from apps.ratelimits.buckets import bucket_owner
from apps.topics.models import Topic
from tests.ratelimits.helpers import limit_headers, set_limits

READ = "/api/agent/timer"
START = "/api/agent/timer/start"
STOP = "/api/agent/timer/stop"
LOG = "/api/agent/time"


def start(client: APIClient) -> Any:
    return client.post(START, {"topic": "Project Alpha"}, format="json")


def log(client: APIClient) -> Any:
    return client.post(LOG, {"topic": "Project Alpha", "duration_minutes": 5}, format="json")


def test_reads_count_down_and_the_one_over_the_limit_is_refused(
    owner_api: APIClient, topic: Topic, settings: Any
) -> None:
    set_limits(settings, {"read": "3/m"})

    remaining = [owner_api.get(path)["X-RateLimit-Remaining"] for path in (READ, "/api/agent/topics", READ)]
    refused = owner_api.get("/api/timer/active")

    assert remaining == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused.json()["code"] == "RATE_LIMITED"
    assert refused.json()["details"] == {
        "bucket": "read",
        "limit": 3,
        "windowSeconds": 60,
        "retryAfter": int(refused["Retry-After"]),
    }
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert limit_headers(refused) == {
        "Limit": "3",
        "Remaining": "0",
        "Reset": refused["Retry-After"],
        "Bucket": "read",
    }
    # Writes are a bucket of their own.
    assert start(owner_api).status_code == 201


def test_a_timer_operation_also_counts_as_a_write(owner_api: APIClient, topic: Topic, settings: Any) -> None:
    set_limits(settings, {"timer": "10/m", "write": "3/m"})

    # The write bucket is the tighter one here, so the headers report it.
    assert limit_headers(start(owner_api))["Bucket"] == "write"
    assert owner_api.post(STOP, {}, format="json").status_code == 200
    assert log(owner_api)["X-RateLimit-Remaining"] == "0"
    refused = start(owner_api)

    assert refused.status_code == 429
    assert refused.json()["details"]["bucket"] == "write"


def test_the_headers_name_the_bucket_closest_to_refusing(owner_api: APIClient, settings: Any) -> None:
    # With a free plan of 5 an hour, after one read the plan has 4 left and reads 119: the plan is reported.
    set_limits(settings, PLAN_QUOTAS={**settings.RATELIMITS["PLAN_QUOTAS"], "free": "5/h"})

    response = owner_api.get(READ)

    assert limit_headers(response)["Bucket"] == "plan"
    assert limit_headers(response)["Limit"] == "5"
    assert 1 <= int(response["X-RateLimit-Reset"]) <= 3600


def test_the_plan_quota_is_shared_by_the_organization_and_only_by_it(
    owner_api: APIClient, teammate_api: APIClient, outsider_api: APIClient, topic: Topic, settings: Any
) -> None:
    set_limits(settings, PLAN_QUOTAS={**settings.RATELIMITS["PLAN_QUOTAS"], "free": "3/h"})

    assert [owner_api.get(READ).status_code for _ in range(2)] == [200, 200]
    assert start(teammate_api).status_code == 201
    refused = teammate_api.get(READ)

    assert refused.status_code == 429
    assert refused.json()["details"]["bucket"] == "plan"
    assert refused.json()["details"]["windowSeconds"] == 3600
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert outsider_api.get(READ).status_code == 200


def test_each_plan_has_its_quota_and_enterprise_has_none(
    owner_api: APIClient, org: Organization, settings: Any
) -> None:
    set_limits(settings, PLAN_QUOTAS={"free": "1/h", "standard": "2/h", "pro": "3/h", "enterprise": None})
    org.plan = Organization.Plan.PRO
    org.save(update_fields=["plan"])

    assert [owner_api.get(READ).status_code for _ in range(4)] == [200, 200, 200, 429]

    org.plan = Organization.Plan.ENTERPRISE
    org.save(update_fields=["plan"])
    response = owner_api.get(READ)
    assert response.status_code == 200
    assert response["X-RateLimit-Bucket"] == "read"


def test_a_refused_request_does_not_use_up_the_hourly_quota(
    owner_api: APIClient, topic: Topic, settings: Any
) -> None:
    set_limits(settings, {"timer": "1/m"}, PLAN_QUOTAS={**settings.RATELIMITS["PLAN_QUOTAS"], "free": "3/h"})

    statuses = [start(owner_api).status_code for _ in range(5)]

    assert statuses == [201, 429, 429, 429, 429]
    # One request counted in the plan so far: two more are allowed.
    assert [owner_api.get(READ).status_code for _ in range(3)] == [200, 200, 429]


def test_limits_are_per_agent(
    owner_api: APIClient, teammate_api: APIClient, topic: Topic, settings: Any
) -> None:
    set_limits(settings, {"timer": "2/m"})

    assert [start(owner_api).status_code for _ in range(3)] == [201, 201, 429]
    assert start(teammate_api).status_code == 201


def test_requests_without_credentials_are_limited_per_ip(db: None, settings: Any) -> None:
    set_limits(settings, {"anonymous": "3/m"})
    client = APIClient()

    denied = [
        client.get(READ),
        client.get(READ, HTTP_AUTHORIZATION="Bearer tat_not-a-real-token"),
        client.get(READ, HTTP_X_API_KEY="tak_not-a-real-key"),
    ]
    refused = client.post(START, {"topic": "Project Alpha"}, format="json")

    assert {response.status_code for response in denied} == {401}
    assert [response["X-RateLimit-Remaining"] for response in denied] == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused.json()["details"]["bucket"] == "anonymous"
    assert int(refused["Retry-After"]) <= 60
    # Another address has its own count; so do views open to everyone (the API docs page).
    assert client.get(READ, REMOTE_ADDR="192.0.2.7").status_code == 401
    docs = client.get("/api/docs", REMOTE_ADDR="192.0.2.8")
    assert docs.status_code == 200
    assert docs["X-RateLimit-Bucket"] == "anonymous"


def test_errors_and_unknown_paths_carry_the_headers(
    owner_api: APIClient, teammate_api: APIClient, topic: Topic
) -> None:
    answers = {
        "no credentials": (APIClient().get(READ), 401, "anonymous"),
        "unknown token": (APIClient().get(READ, HTTP_AUTHORIZATION="Bearer tat_x"), 401, "anonymous"),
        "bad input": (owner_api.post(START, {"topic": 5}, format="json"), 400, "timer"),
        "nothing running": (owner_api.post(STOP, {}, format="json"), 404, "timer"),
        "no such entry": (owner_api.get("/api/clocked-times/top-0000000000000000"), 404, "plan"),
        "not an admin": (teammate_api.post("/api/tags", {"name": "x"}, format="json"), 403, "write"),
        "wrong method": (owner_api.get(START), 405, "timer"),
        # Never reached a DRF view, so the token was not read: counted per address.
        "unknown path": (owner_api.get("/api/no/such/thing"), 404, "anonymous"),
    }

    for what, (response, status, bucket) in answers.items():
        assert response.status_code == status, what
        headers = limit_headers(response)
        assert None not in headers.values(), what
        assert headers["Bucket"] == bucket, what


def test_pages_outside_the_api_carry_no_headers(client: Any, db: None) -> None:
    assert "X-RateLimit-Limit" not in client.get("/admin/login/").headers


@pytest.mark.urls("tests.ratelimits.urls")
def test_django_ratelimits_own_refusal_is_a_429_not_a_403(db: None) -> None:
    response = APIClient().get("/api/test/refused")

    assert response.status_code == 429
    assert response.json()["code"] == "RATE_LIMITED"


@pytest.mark.urls("tests.ratelimits.urls")
def test_django_ratelimits_refusal_in_a_plain_view_is_a_429_too(client: Any, db: None) -> None:
    assert client.get("/api/test/plain").status_code == 200

    refused = client.get("/api/test/plain")

    assert refused.status_code == 429
    assert refused.json()["code"] == "RATE_LIMITED"


def test_switched_off_nothing_is_counted(owner_api: APIClient, topic: Topic, settings: Any) -> None:
    set_limits(settings, {"timer": "1/m"})
    settings.RATELIMIT_ENABLE = False

    assert [start(owner_api).status_code for _ in range(3)] == [201, 201, 201]
    assert "X-RateLimit-Limit" not in start(owner_api).headers


def test_an_agent_is_identified_by_its_access_token_application(owner_agent: Any, owner: Any) -> None:
    token = AccessToken(application=owner_agent.agent, user=None, token="")
    request = SimpleNamespace(auth=token, user=owner)

    assert bucket_owner(request) == (f"agent:{owner_agent.agent.pk}", owner.membership.organization_id)


def test_an_api_key_is_a_bucket_of_its_own(org: Organization, owner: Any) -> None:
    key = api_key_create(user=owner, name="CI").api_key
    request = SimpleNamespace(auth=key, user=owner)

    assert bucket_owner(request) == (f"key:agents.apikey:{key.pk}", org.pk)


def test_a_request_without_credentials_is_counted_by_address(rf: Any) -> None:
    request = rf.get(READ, REMOTE_ADDR="192.0.2.44")
    request.auth, request.user = None, None

    assert bucket_owner(request) == ("ip:192.0.2.44", None)
