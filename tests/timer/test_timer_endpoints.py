"""The full timer endpoints: /api/timer/start, /stop, /active (and their /api/v1 twins)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from tests.api.helpers import assert_documented
from tests.conftest import make_topic

PREFIXES = ["/api", "/api/v1"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_start_matches_the_spec(owner_api, owner, owner_agent, topic, prefix):
    response = owner_api.post(f"{prefix}/timer/start", {"topicId": topic.id}, format="json")
    assert response.status_code == 201
    body = response.json()
    entry = ClockedTime.objects.get(user=owner, end_time__isnull=True)
    assert body == {
        "clockedTime": {
            "id": entry.id,
            "topicId": topic.id,
            "startTime": entry.start_time.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        },
        "stoppedClockedTime": None,
    }
    assert entry.agent_id == owner_agent.agent.pk
    assert_documented(response)


def test_start_while_running_reports_what_it_stopped(owner_api, owner, topic, research):
    first = owner_api.post("/api/timer/start", {"topicId": topic.id}, format="json").json()
    response = owner_api.post("/api/timer/start", {"topicId": research.id}, format="json")
    assert response.status_code == 201
    stopped = response.json()["stoppedClockedTime"]
    assert stopped["id"] == first["clockedTime"]["id"]
    assert stopped["endTime"] == response.json()["clockedTime"]["startTime"]
    assert ClockedTime.objects.filter(user=owner, end_time__isnull=True).count() == 1
    assert_documented(response)


def test_start_with_an_unknown_topic_is_404(owner_api, owner):
    response = owner_api.post("/api/timer/start", {"topicId": "top-doesnotexist0000"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "TOPIC_NOT_FOUND"
    assert_documented(response)


def test_start_with_another_organizations_topic_is_404(outsider_api, topic):
    response = outsider_api.post("/api/v1/timer/start", {"topicId": topic.id}, format="json")
    assert response.status_code == 404
    assert not ClockedTime.objects.exists()


def test_start_on_an_archived_topic_is_409(owner_api, org):
    archived = make_topic(org, "Old", archived=True)
    response = owner_api.post("/api/timer/start", {"topicId": archived.id}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "TOPIC_ARCHIVED"
    assert_documented(response)


def test_start_needs_a_topic_id_string(owner_api, topic):
    for body in ({}, {"topicId": 5}, {"topic": topic.id}, {"topicId": topic.id, "extra": 1}):
        response = owner_api.post("/api/timer/start", body, format="json")
        assert response.status_code == 400, body
    assert not ClockedTime.objects.exists()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_stop_matches_the_spec(owner_api, owner, topic, prefix):
    entry = ClockedTime.objects.create(
        organization=topic.organization,
        user=owner,
        topic=topic,
        start_time=timezone.now() - timedelta(minutes=45),
    )
    response = owner_api.post(
        f"{prefix}/timer/stop", {"notes": "Completed competitor analysis"}, format="json"
    )
    assert response.status_code == 200
    entry.refresh_from_db()
    assert response.json() == {
        "clockedTime": {
            "id": entry.id,
            "topicId": topic.id,
            "startTime": entry.start_time.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "endTime": entry.end_time.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        }
    }
    assert entry.notes == "Completed competitor analysis"
    assert_documented(response)


def test_stop_without_a_timer_is_404(owner_api, owner):
    response = owner_api.post("/api/timer/stop", {}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "NO_ACTIVE_TIMER"
    assert_documented(response)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_active(owner_api, owner, topic, prefix):
    inactive = owner_api.get(f"{prefix}/timer/active")
    assert inactive.status_code == 200
    assert inactive.json() == {"active": False, "clockedTime": None}
    assert_documented(inactive)

    started = owner_api.post("/api/timer/start", {"topicId": topic.id}, format="json").json()["clockedTime"]
    active = owner_api.get(f"{prefix}/timer/active")
    assert active.json() == {"active": True, "clockedTime": started}
    assert_documented(active)


def test_active_does_not_show_a_teammates_timer(owner_api, teammate_api, topic):
    teammate_api.post("/api/timer/start", {"topicId": topic.id}, format="json")
    assert owner_api.get("/api/timer/active").json()["active"] is False
