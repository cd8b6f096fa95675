"""The simple timer endpoints for shell hooks: /api/agent/timer, /start, /stop, /tags."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.tags.models import Tag
from tests.api.helpers import assert_documented
from tests.conftest import make_topic


def _running(user, topic, minutes_ago: int = 45, **kwargs) -> ClockedTime:
    return ClockedTime.objects.create(
        organization=topic.organization,
        user=user,
        topic=topic,
        start_time=timezone.now() - timedelta(minutes=minutes_ago, seconds=10),
        **kwargs,
    )


def test_status_of_a_running_timer_matches_the_spec(owner_api, owner, topic):
    entry = _running(owner, topic)
    response = owner_api.get("/api/agent/timer")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "running": True,
        "topic": {"id": topic.id, "name": "Project Alpha", "category": "Client Work"},
        "elapsedMinutes": 45,
        "startedAt": entry.start_time.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "clockedTimeId": entry.id,
    }
    assert body["startedAt"].endswith("Z")
    assert_documented(response)


def test_status_without_a_timer(owner_api, owner):
    response = owner_api.get("/api/agent/timer")
    assert response.status_code == 200
    assert response.json()["running"] is False
    assert response.json()["topic"] is None
    assert_documented(response)


def test_status_ignores_a_teammates_timer(owner_api, teammate, topic):
    _running(teammate, topic)
    assert owner_api.get("/api/agent/timer").json()["running"] is False


def test_start_by_name_matches_the_spec_and_records_the_agent(owner_api, owner, owner_agent, topic):
    response = owner_api.post("/api/agent/timer/start", {"topic": "Project Alpha"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["started"] is True
    assert body["topic"] == {"id": topic.id, "name": "Project Alpha", "category": "Client Work"}
    assert body["stopped"] is None
    entry = ClockedTime.objects.get(pk=body["clockedTimeId"])
    assert entry.user == owner and entry.end_time is None and entry.agent_id == owner_agent.agent.pk
    assert_documented(response)


def test_start_by_id(owner_api, topic):
    response = owner_api.post("/api/agent/timer/start", {"topic": topic.id}, format="json")
    assert response.status_code == 201
    assert response.json()["topic"]["id"] == topic.id


def test_start_while_running_stops_the_running_timer_first(owner_api, owner, topic, research):
    old = _running(owner, topic, minutes_ago=30)
    response = owner_api.post("/api/agent/timer/start", {"topic": "Research"}, format="json")
    assert response.status_code == 201
    stopped = response.json()["stopped"]
    assert stopped == {
        "clockedTimeId": old.id,
        "topic": {"id": topic.id, "name": "Project Alpha", "category": "Client Work"},
        "duration": 30,
    }
    old.refresh_from_db()
    assert old.end_time is not None
    assert ClockedTime.objects.filter(user=owner, end_time__isnull=True).get().topic == research
    assert_documented(response)


def test_start_with_an_unknown_topic_is_a_404_and_writes_nothing(owner_api, topic):
    response = owner_api.post("/api/agent/timer/start", {"topic": "Nonexistent thing"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "TOPIC_NOT_FOUND"
    assert "candidates" in response.json()["details"]
    assert not ClockedTime.objects.exists()
    assert_documented(response)


def test_start_cannot_reach_another_organizations_topic(outsider_api, topic):
    response = outsider_api.post("/api/agent/timer/start", {"topic": topic.id}, format="json")
    assert response.status_code == 404
    assert not ClockedTime.objects.exists()


def test_start_on_an_archived_topic_is_refused(owner_api, org):
    archived = make_topic(org, "Old Project", archived=True)
    response = owner_api.post("/api/agent/timer/start", {"topic": archived.id}, format="json")
    assert response.status_code in (404, 409)
    assert not ClockedTime.objects.exists()


def test_stop_matches_the_spec(owner_api, owner, topic):
    entry = _running(owner, topic, minutes_ago=45)
    response = owner_api.post("/api/agent/timer/stop")
    assert response.status_code == 200
    assert response.json() == {"stopped": True, "duration": 45, "clockedTimeId": entry.id}
    entry.refresh_from_db()
    assert entry.end_time is not None
    assert_documented(response)


def test_stop_with_notes(owner_api, owner, topic):
    entry = _running(owner, topic)
    response = owner_api.post("/api/agent/timer/stop", {"notes": "Done"}, format="json")
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.notes == "Done"


def test_stop_with_nothing_running_is_a_clear_404(owner_api, owner):
    response = owner_api.post("/api/agent/timer/stop")
    assert response.status_code == 404
    assert response.json() == {"error": "No timer is running.", "code": "NO_ACTIVE_TIMER", "details": {}}
    assert_documented(response)


def test_stop_does_not_touch_a_teammates_timer(owner_api, teammate, topic):
    entry = _running(teammate, topic)
    assert owner_api.post("/api/agent/timer/stop").status_code == 404
    entry.refresh_from_db()
    assert entry.end_time is None


def test_patch_sets_the_notes_of_the_running_timer(owner_api, owner, topic):
    entry = _running(owner, topic)
    response = owner_api.patch(
        "/api/agent/timer", {"notes": "Implementing user authentication module"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"updated": True, "clockedTimeId": entry.id}
    entry.refresh_from_db()
    assert entry.notes == "Implementing user authentication module"
    assert_documented(response)


def test_patch_without_a_timer_is_404(owner_api, owner):
    response = owner_api.patch("/api/agent/timer", {"notes": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "NO_ACTIVE_TIMER"


def test_patch_with_notes_too_long_is_400_and_keeps_the_old_notes(owner_api, owner, topic):
    entry = _running(owner, topic, notes="before")
    response = owner_api.patch("/api/agent/timer", {"notes": "x" * 10_001}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert "notes" in response.json()["details"]
    entry.refresh_from_db()
    assert entry.notes == "before"
    assert_documented(response)


def test_tags_are_created_case_insensitively_and_attached_once(owner_api, owner, topic, tags):
    entry = _running(owner, topic)
    response = owner_api.post(
        "/api/agent/timer/tags",
        {"tags": ["refactoring", "performance", "Bug-Fix", "REFACTORING"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json() == {
        "added": True,
        "clockedTimeId": entry.id,
        "tags": ["refactoring", "performance", "bug-fix"],
    }
    assert sorted(t.name for t in entry.tags.all()) == ["bug-fix", "performance", "refactoring"]
    assert Tag.objects.filter(organization=topic.organization).count() == 4
    assert_documented(response)

    again = owner_api.post("/api/agent/timer/tags", {"tags": ["Performance"]}, format="json")
    assert again.status_code == 200
    assert again.json()["tags"] == ["performance"]
    assert entry.tags.count() == 3
    assert Tag.objects.filter(organization=topic.organization).count() == 4


def test_tags_without_a_timer_is_404_and_creates_no_tag(owner_api, owner, org):
    response = owner_api.post("/api/agent/timer/tags", {"tags": ["new-tag"]}, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "NO_ACTIVE_TIMER"
    assert not Tag.objects.filter(organization=org).exists()


def test_tags_must_be_a_non_empty_list_of_names(owner_api, owner, topic):
    _running(owner, topic)
    for body in ({"tags": []}, {"tags": "refactoring"}, {"tags": [1, 2]}, {"tags": [""]}, {}):
        response = owner_api.post("/api/agent/timer/tags", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["code"] == "VALIDATION_ERROR"
    assert not Tag.objects.exists()
