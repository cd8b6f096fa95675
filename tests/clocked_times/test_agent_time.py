"""POST /api/agent/time: log finished work by duration."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from apps.clocked_times.models import ClockedTime
from tests.api.helpers import assert_documented

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_log_matches_the_spec_and_ends_now(owner_api, owner, owner_agent, topic):
    response = owner_api.post(
        "/api/agent/time",
        {"topic": "Project Alpha", "duration_minutes": 30, "notes": "Completed code review"},
        format="json",
    )
    assert response.status_code == 201
    entry = ClockedTime.objects.get()
    assert response.json() == {
        "logged": True,
        "id": entry.id,
        "topic": {"id": topic.id, "name": "Project Alpha", "category": "Client Work"},
        "duration": 30,
    }
    assert entry.end_time == NOW
    assert entry.start_time == NOW - timedelta(minutes=30)
    assert entry.type == "manual" and entry.notes == "Completed code review"
    assert entry.user == owner and entry.agent_id == owner_agent.agent.pk
    assert_documented(response)


@time_machine.travel(NOW, tick=False)
def test_log_from_a_given_start(owner_api, topic):
    response = owner_api.post(
        "/api/agent/time",
        {"topic": topic.id, "duration_minutes": 90, "start_time": "2026-03-30T09:00:00Z"},
        format="json",
    )
    assert response.status_code == 201
    entry = ClockedTime.objects.get()
    assert entry.start_time == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)
    assert entry.end_time == datetime(2026, 3, 30, 10, 30, tzinfo=UTC)
    assert entry.notes == ""


@time_machine.travel(NOW, tick=False)
def test_log_may_not_end_in_the_future(owner_api, topic):
    response = owner_api.post(
        "/api/agent/time",
        {"topic": topic.id, "duration_minutes": 60, "start_time": "2026-03-30T11:30:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_TIME_RANGE"
    assert not ClockedTime.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "Project Alpha", "duration_minutes": 0},
        {"topic": "Project Alpha", "duration_minutes": -5},
        {"topic": "Project Alpha", "duration_minutes": 1441},
        {"topic": "Project Alpha", "duration_minutes": 10**12},
        {"topic": "Project Alpha", "duration_minutes": "30"},
        {"topic": "Project Alpha", "duration_minutes": 30.5},
        {"topic": "Project Alpha", "duration_minutes": True},
        {"topic": "Project Alpha"},
        {"duration_minutes": 30},
        {"topic": 42, "duration_minutes": 30},
        {"topic": "Project Alpha", "duration_minutes": 30, "notes": "x" * 10_001},
        {"topic": "Project Alpha", "duration_minutes": 30, "start_time": "2026-02-30T09:00:00Z"},
        {"topic": "Project Alpha", "duration_minutes": 30, "durationMinutes": 30},
    ],
)
def test_bad_input_is_400_and_writes_nothing(owner_api, topic, body):
    response = owner_api.post("/api/agent/time", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert not ClockedTime.objects.exists()
    assert_documented(response)


def test_the_full_day_is_the_limit(owner_api, topic):
    response = owner_api.post("/api/agent/time", {"topic": topic.id, "duration_minutes": 1440}, format="json")
    assert response.status_code == 201
    assert response.json()["duration"] == 1440


def test_unknown_topic_is_404(owner_api, topic):
    response = owner_api.post("/api/agent/time", {"topic": "zzzz qqqq", "duration_minutes": 5}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "TOPIC_NOT_FOUND"
    assert not ClockedTime.objects.exists()


def test_another_organizations_topic_id_is_404(outsider_api, topic):
    response = outsider_api.post("/api/agent/time", {"topic": topic.id, "duration_minutes": 5}, format="json")
    assert response.status_code == 404
    assert not ClockedTime.objects.exists()


def test_overlap_is_refused_when_the_organization_forbids_it(owner_api, owner, topic, no_overlaps):
    assert (
        owner_api.post(
            "/api/agent/time", {"topic": topic.id, "duration_minutes": 60}, format="json"
        ).status_code
        == 201
    )
    response = owner_api.post("/api/agent/time", {"topic": topic.id, "duration_minutes": 30}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "OVERLAPPING_ENTRY"
    assert ClockedTime.objects.count() == 1
    assert_documented(response)
