"""POST /api/time-entries/start and /stop: ClockEye's timer on Teeckin's timer services."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.agents.services import api_key_create
from apps.clocked_times.models import ClockedTime
from apps.tags.models import Tag
from apps.webhooks.models import WebhookEvent
from apps.webhooks.subscriptions import EVENT_NAMES, endpoint_create
from tests.api.helpers import assert_documented
from tests.conftest import make_topic


@pytest.fixture
def subscribed(org):
    """An endpoint of the organization subscribed to everything, so events are written to the outbox."""
    return endpoint_create(organization=org, url="http://127.0.0.1:9/hook", events=EVENT_NAMES)


def _start(client, body, **extra):
    return client.post("/api/time-entries/start", json.dumps(body), content_type="application/json", **extra)


def test_clockeyes_curl_start_and_stop_work_with_an_api_key_and_csrf_checks_on(owner_key_api, owner, topic):
    # ClockEye's example: X-API-Key, JSON body; no CSRF token (Django's HTML 403 before this endpoint).
    started = _start(owner_key_api, {"project_id": topic.id, "task_id": "task_456", "description": "Feature"})
    assert started.status_code == 201, started.content
    assert_documented(started)
    body = started.json()
    assert body["project_id"] == topic.id and body["task_id"] == "task_456"
    assert body["description"] == "Feature" and body["running"] is True and body["end_time"] is None
    assert body["user_id"] == str(owner.pk) and body["duration"] is None

    entry = ClockedTime.objects.get(pk=body["id"])
    assert entry.notes == "Feature" and entry.agent is None
    assert [tag.name for tag in entry.tags.all()] == ["task:task_456"]

    # ClockEye's stop sends no body and no Content-Type.
    stopped = owner_key_api.post("/api/time-entries/stop")
    assert stopped.status_code == 200, stopped.content
    assert_documented(stopped)
    assert stopped.json()["id"] == body["id"] and stopped.json()["running"] is False
    assert stopped.json()["duration"] >= 0 and stopped.json()["task_id"] == "task_456"


def test_a_bearer_token_works_and_a_running_timer_is_stopped_first(owner_api, owner_agent, topic, research):
    first = _start(owner_api, {"project_id": topic.id}).json()
    second = _start(owner_api, {"project_id": research.id, "description": "Reading"})
    assert second.status_code == 201
    old = ClockedTime.objects.get(pk=first["id"])
    new = ClockedTime.objects.get(pk=second.json()["id"])
    assert old.end_time == new.start_time and new.end_time is None
    assert new.agent == owner_agent.agent and second.json()["task_id"] is None and second.json()["tags"] == []


def test_start_and_stop_emit_the_same_events_as_teeckins_timer(owner_key_api, topic, research, subscribed):
    _start(owner_key_api, {"project_id": topic.id, "task_id": "T-1"})
    _start(owner_key_api, {"project_id": research.id})
    owner_key_api.post("/api/time-entries/stop", {"description": "done"}, format="json")
    events = list(WebhookEvent.objects.order_by("created_at").values_list("name", "body"))
    assert [name for name, _ in events] == [
        "time_entry.started",
        "time_entry.stopped",
        "time_entry.started",
        "time_entry.stopped",
    ]
    # The first started event already carries the task tag.
    assert json.loads(events[0][1])["data"]["tags"] == ["task:T-1"]
    assert json.loads(events[3][1])["data"]["notes"] == "done"


def test_task_ids_share_a_tag_per_task(owner_key_api, org, topic):
    _start(owner_key_api, {"project_id": topic.id, "task_id": "task_456"})
    _start(owner_key_api, {"project_id": topic.id, "task_id": "task_456"})
    assert Tag.objects.filter(organization=org, name="task:task_456").count() == 1
    assert ClockedTime.objects.filter(tags__name="task:task_456").count() == 2


def test_another_organizations_project_is_404(owner_key_api, outsider_api, topic, outsider_topic):
    response = _start(owner_key_api, {"project_id": outsider_topic.id, "task_id": "leak"})
    assert response.status_code == 404 and response.json()["code"] == "TOPIC_NOT_FOUND"
    assert _start(outsider_api, {"project_id": topic.id}).status_code == 404
    assert not ClockedTime.objects.exists() and not Tag.objects.exists()


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "project_id"),
        ({"project_id": 5}, "project_id"),
        ({"project_id": "PROJECT", "task_id": "two words"}, "task_id"),
        ({"project_id": "PROJECT", "task_id": "x" * 97}, "task_id"),
        ({"project_id": "PROJECT", "projectId": "PROJECT"}, "projectId"),
        ({"project_id": "PROJECT", "description": "x" * 10_001}, "description"),
    ],
)
def test_bad_input_is_400_and_nothing_is_written(owner_key_api, topic, body, field):
    body = {key: topic.id if value == "PROJECT" else value for key, value in body.items()}
    response = _start(owner_key_api, body)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR" and field in response.json()["details"]
    assert not ClockedTime.objects.exists() and not Tag.objects.exists()


def test_an_archived_project_is_409(owner_key_api, org):
    old = make_topic(org, "Old", archived=True)
    response = _start(owner_key_api, {"project_id": old.id, "task_id": "t1"})
    assert response.status_code == 409 and response.json()["code"] == "TOPIC_ARCHIVED"
    assert not Tag.objects.exists()  # the task tag went with the refused start


def test_stop_without_a_running_timer_is_404(owner_key_api):
    response = owner_key_api.post("/api/time-entries/stop")
    assert response.status_code == 404 and response.json()["code"] == "NO_ACTIVE_TIMER"
    assert_documented(response)


def test_timer_operations_share_the_timer_rate_limit(owner_api, topic):
    for i in range(10):
        path = "/api/agent/timer/start" if i % 2 else "/api/time-entries/start"
        body = {"topic": topic.id} if i % 2 else {"project_id": topic.id}
        assert owner_api.post(path, body, format="json").status_code == 201
    refused = owner_api.post("/api/time-entries/stop")
    assert refused.status_code == 429 and refused.json()["details"]["bucket"] == "timer"
    assert int(refused["Retry-After"]) > 0


def test_a_browser_session_without_a_csrf_token_gets_a_json_403(owner, topic):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    response = _start(client, {"project_id": topic.id})
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json" and response.json()["code"]
    assert not ClockedTime.objects.exists()


@pytest.mark.parametrize(
    "method,path,status",
    [
        ("post", "/api/time-entries/pause", 404),
        ("get", "/api/time-entries/start", 405),
        ("delete", "/api/time-entries/stop", 405),
        ("post", "/api/time-entries/123/approve", 404),
    ],
)
def test_unknown_paths_and_methods_answer_json_never_html(owner, method, path, status):
    # CSRF checks on and a session cookie besides the API key: still JSON, never Django's HTML 403.
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = getattr(client, method)(path, HTTP_X_API_KEY=api_key_create(user=owner, name="k").plaintext)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"error", "code", "details"}
