"""Parallel agent sessions: each (person, agent, session) is a tracker with its own running timer."""

from __future__ import annotations

from typing import Any

import pytest

from apps.clocked_times.models import ClockedTime
from apps.timer.services import timer_start
from tests.api.helpers import assert_documented
from tests.fixtures.auth import api_client_for, make_agent

START = "/api/agent/timer/start"
STOP = "/api/agent/timer/stop"
STATUS = "/api/agent/timer"


def _session(name: str) -> dict[str, str]:
    return {"HTTP_X_TEECKIN_SESSION": name}


def _start(api: Any, topic: Any, session: str | None = None, **body: Any) -> dict[str, Any]:
    headers = _session(session) if session else {}
    response = api.post(START, {"topic": topic.id, **body}, format="json", **headers)
    assert response.status_code == 201, response.json()
    return response.json()


def _running(user: Any) -> list[ClockedTime]:
    return list(ClockedTime.objects.filter(user=user, end_time__isnull=True).order_by("start_time"))


@pytest.fixture
def second_api(owner: Any) -> Any:
    """A second agent of the owner (e.g. a CI job), session-less."""
    return api_client_for(make_agent(owner, "Owner's CI job"))


def test_three_sessions_and_a_second_agent_run_at_once(owner_api, second_api, owner, owner_agent, topic):
    ids = [_start(owner_api, topic, session=f"sess-{n}")["clockedTimeId"] for n in range(3)]
    ci = _start(second_api, topic)
    assert ci["stopped"] is None
    running = _running(owner)
    assert len(running) == 4
    assert {entry.id for entry in running} == {*ids, ci["clockedTimeId"]}
    assert {entry.session for entry in running} == {"sess-0", "sess-1", "sess-2", ""}
    assert all(entry.agent_id == owner_agent.agent.pk for entry in running if entry.session)


def test_a_start_in_one_session_stops_only_that_sessions_timer(owner_api, owner, topic, research):
    first = _start(owner_api, topic, session="sess-a")
    other = _start(owner_api, topic, session="sess-b")
    again = _start(owner_api, research, session="sess-a")
    assert again["stopped"]["clockedTimeId"] == first["clockedTimeId"]
    running = {entry.id: entry for entry in _running(owner)}
    assert set(running) == {other["clockedTimeId"], again["clockedTimeId"]}
    assert running[again["clockedTimeId"]].topic == research


def test_source_session_in_the_body_is_the_same_tracker_as_the_header(owner_api, owner, topic):
    first = _start(owner_api, topic, source={"session": "sess-a"})
    second = _start(owner_api, topic, session="sess-a")
    assert second["stopped"]["clockedTimeId"] == first["clockedTimeId"]
    assert ClockedTime.objects.get(pk=second["clockedTimeId"]).session == "sess-a"


def test_a_stop_without_a_session_leaves_session_timers_alone(owner_api, owner, topic):
    sessions = [_start(owner_api, topic, session=f"sess-{n}")["clockedTimeId"] for n in range(2)]
    response = owner_api.post(STOP)
    assert response.status_code == 404 and response.json()["code"] == "NO_ACTIVE_TIMER"

    plain = _start(owner_api, topic)["clockedTimeId"]
    response = owner_api.post(STOP)
    assert response.status_code == 200 and response.json()["clockedTimeId"] == plain
    assert {entry.id for entry in _running(owner)} == set(sessions)


def test_stop_status_notes_and_tags_address_the_sessions_timer(owner_api, owner, topic):
    a = _start(owner_api, topic, session="sess-a")["clockedTimeId"]
    b = _start(owner_api, topic, session="sess-b")["clockedTimeId"]

    status = owner_api.get(STATUS, **_session("sess-b")).json()
    assert status["running"] is True and status["clockedTimeId"] == b
    assert owner_api.get(STATUS).json()["running"] is False  # the session-less tracker has nothing

    response = owner_api.patch(STATUS, {"notes": "Working on B"}, format="json", **_session("sess-b"))
    assert response.status_code == 200 and response.json()["clockedTimeId"] == b
    response = owner_api.post(
        "/api/agent/timer/tags", {"tags": ["b-only"]}, format="json", **_session("sess-b")
    )
    assert response.status_code == 200 and response.json()["clockedTimeId"] == b
    full = owner_api.get("/api/v1/timer/active", **_session("sess-b")).json()
    assert full["clockedTime"]["id"] == b

    response = owner_api.post(STOP, **_session("sess-b"))
    assert response.status_code == 200 and response.json()["clockedTimeId"] == b
    entry_a, entry_b = ClockedTime.objects.get(pk=a), ClockedTime.objects.get(pk=b)
    assert entry_a.end_time is None and entry_a.notes == "" and not entry_a.tags.exists()
    assert entry_b.notes == "Working on B" and [tag.name for tag in entry_b.tags.all()] == ["b-only"]
    # The stopped session has nothing left; the other session still runs.
    assert owner_api.post(STOP, **_session("sess-b")).json()["code"] == "NO_ACTIVE_TIMER"
    assert owner_api.post("/api/v1/timer/stop", **_session("sess-a")).json()["clockedTime"]["id"] == a


def test_two_session_less_agents_of_one_person_do_not_stop_each_other(owner_api, second_api, owner, topic):
    first = _start(owner_api, topic)
    second = _start(second_api, topic)
    assert second["stopped"] is None
    assert len(_running(owner)) == 2
    assert owner_api.post(STOP).json()["clockedTimeId"] == first["clockedTimeId"]
    assert second_api.post(STOP).json()["clockedTimeId"] == second["clockedTimeId"]


def test_an_agent_without_a_session_still_reaches_the_persons_own_timer(owner_api, owner, org, topic):
    # As before sessions existed: a timer the person started (pages, admin) is the agent's to stop.
    own = timer_start(user=owner, organization=org, topic=topic).started
    session_timer = _start(owner_api, topic, session="sess-a")["clockedTimeId"]
    assert owner_api.get(STATUS).json()["clockedTimeId"] == own.id
    assert owner_api.post(STOP).json()["clockedTimeId"] == own.id
    assert [entry.id for entry in _running(owner)] == [session_timer]


def test_no_overlaps_policy_stops_every_running_timer_of_the_person(
    owner_api, second_api, owner, org, topic, research
):
    for n in range(3):
        _start(owner_api, topic, session=f"sess-{n}")
    _start(second_api, topic)
    assert len(_running(owner)) == 4
    # The organization then decides to bill human hours.
    org.allow_overlaps = False
    org.save(update_fields=["allow_overlaps"])
    response = owner_api.post(START, {"topic": research.id}, format="json", **_session("sess-new"))
    assert response.status_code == 201
    running = _running(owner)
    assert [entry.id for entry in running] == [response.json()["clockedTimeId"]]
    stopped = ClockedTime.objects.filter(user=owner, end_time__isnull=False)
    assert stopped.count() == 4
    # Stopped where the new one starts: no overlap.
    assert {entry.end_time for entry in stopped} == {running[0].start_time}


@pytest.mark.parametrize(
    "header",
    ["has space", "x" * 129, "tab\tinside", "ünïcode"],
    ids=["space", "too-long", "control", "non-ascii"],
)
def test_an_invalid_session_header_is_a_400_envelope_and_writes_nothing(owner_api, owner, topic, header):
    for call in (
        lambda: owner_api.post(START, {"topic": topic.id}, format="json", **_session(header)),
        lambda: owner_api.post(STOP, **_session(header)),
        lambda: owner_api.get(STATUS, **_session(header)),
        lambda: owner_api.post("/api/agent/timer/heartbeat", **_session(header)),
    ):
        response = call()
        assert response.status_code == 400, response.content
        body = response.json()
        assert body["code"] == "INVALID_SESSION" and "X-Teeckin-Session" in body["error"]
    assert not ClockedTime.objects.exists()


def test_source_session_is_validated_too_and_must_agree_with_the_header(owner_api, topic):
    response = owner_api.post(START, {"topic": topic.id, "source": {"session": "a b"}}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_SESSION"
    response = owner_api.post(
        START, {"topic": topic.id, "source": {"session": "one"}}, format="json", **_session("two")
    )
    assert response.status_code == 400
    assert response.json()["details"] == {
        "source": {"session": ["Differs from the X-Teeckin-Session header."]}
    }
    assert not ClockedTime.objects.exists()


def test_a_session_of_another_organization_with_the_same_id_is_another_tracker(
    owner_api, outsider_api, owner, outsider, topic, outsider_topic
):
    mine = _start(owner_api, topic, session="shared-id")["clockedTimeId"]
    theirs = _start(outsider_api, outsider_topic, session="shared-id")
    assert theirs["stopped"] is None
    assert outsider_api.post(STOP, **_session("shared-id")).json()["clockedTimeId"] == theirs["clockedTimeId"]
    assert ClockedTime.objects.get(pk=mine).end_time is None
    assert outsider_api.post(STOP, **_session("shared-id")).status_code == 404


def test_session_responses_match_the_schema(owner_api, topic):
    _start(owner_api, topic, session="sess-a")
    assert_documented(owner_api.get(STATUS, **_session("sess-a")))
    assert_documented(owner_api.post(START, {"topic": topic.id}, format="json", **_session("sess-a")))
    assert_documented(owner_api.post(STOP, **_session("sess-a")))
