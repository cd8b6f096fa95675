"""GET /api/v1/timers/running: every running timer of the person, each with its agent and session."""

from __future__ import annotations

from rest_framework.test import APIClient

from apps.agents.services import api_key_create
from apps.timer.services import timer_start
from tests.api.helpers import AUTH_QUERIES, assert_documented
from tests.fixtures.auth import api_client_for, make_agent

RUNNING = "/api/v1/timers/running"


def _start(api, topic, session=None):  # type: ignore[no-untyped-def]
    headers = {"HTTP_X_TEECKIN_SESSION": session} if session else {}
    response = api.post("/api/agent/timer/start", {"topic": topic.id}, format="json", **headers)
    assert response.status_code == 201
    return response.json()["clockedTimeId"]


def test_an_agent_sees_all_its_owners_running_timers_with_agent_and_session(
    owner_api, owner, owner_agent, org, topic, research
):
    ci = make_agent(owner, "Owner's CI job")
    own = timer_start(user=owner, organization=org, topic=topic).started.id
    a = _start(owner_api, topic, "sess-a")
    b = _start(owner_api, research, "sess-b")
    c = _start(api_client_for(ci), topic, "ci-run-7")
    owner_api.post("/api/agent/timer/stop", HTTP_X_TEECKIN_SESSION="sess-b")

    response = owner_api.get(RUNNING)
    assert response.status_code == 200
    assert_documented(response)
    body = response.json()
    assert body["count"] == 3
    by_id = {row["id"]: row for row in body["results"]}
    assert set(by_id) == {a, c, own}
    assert b not in by_id
    assert by_id[a]["agent"] == {"clientId": owner_agent.client_id, "name": "Owner's Claude Code"}
    assert by_id[a]["source"]["session"] == "sess-a" and by_id[a]["running"] is True
    assert by_id[c]["agent"] == {"clientId": ci.client_id, "name": "Owner's CI job"}
    assert by_id[c]["source"]["session"] == "ci-run-7"
    assert by_id[own]["source"]["session"] == ""
    assert by_id[own]["agent"] is None and by_id[own]["agentId"] is None
    assert by_id[a]["lastHeartbeatAt"] is None
    owner_api.post("/api/agent/timer/heartbeat", HTTP_X_TEECKIN_SESSION="sess-a")
    rows = {row["id"]: row for row in owner_api.get(RUNNING).json()["results"]}
    assert rows[a]["lastHeartbeatAt"] is not None


def test_a_persons_api_key_sees_the_same(owner, owner_api, topic):
    entry = _start(owner_api, topic, "sess-a")
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_create(user=owner, name="dashboard").plaintext)
    response = client.get(RUNNING)
    assert response.status_code == 200 and [row["id"] for row in response.json()["results"]] == [entry]


def test_teammates_and_other_organizations_timers_are_not_listed(
    owner_api, teammate_api, outsider_api, topic, outsider_topic
):
    _start(teammate_api, topic, "sess-a")
    _start(outsider_api, outsider_topic, "sess-a")
    assert owner_api.get(RUNNING).json() == {"count": 0, "results": []}
    assert owner_api.get("/api/timers/running").json()["count"] == 0


def test_unknown_query_parameters_are_refused(owner_api):
    response = owner_api.get(RUNNING, {"user": "tom"})
    assert response.status_code == 400
    assert response.json()["details"] == {"user": ["Unknown parameter."]}
    assert_documented(response)


def test_it_needs_credentials(db):
    response = APIClient().get(RUNNING)
    assert response.status_code == 401 and response.json()["code"]


def test_the_list_runs_in_a_fixed_number_of_queries(owner_api, owner, topic, django_assert_max_num_queries):
    for n in range(8):
        _start(owner_api, topic, f"sess-{n}")
    # The running entries with their topics, users and agents; then their tags.
    with django_assert_max_num_queries(2 + AUTH_QUERIES):
        assert owner_api.get(RUNNING).json()["count"] == 8
