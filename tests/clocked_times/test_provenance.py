"""Provenance: the optional ``source`` on start, log and manual entries; stored, returned, filterable."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.provenance import Source
from apps.clocked_times.services import clocked_time_create
from apps.topics.services import topic_repository_add
from apps.webhooks.models import WebhookEvent
from apps.webhooks.subscriptions import endpoint_create
from tests.api.helpers import assert_documented

SOURCE = {
    "client": "claude-code",
    "session": "5f1c0f4e-7d2b-4a1e-9c3d-2b8e6f0a1c9d",
    "repository": "git@github.com:acme/alpha.git",
    "branch": "feature/login",
    "directory": "/home/olivia/src/alpha",
    "host": "olivia-laptop",
}


def _minutes_ago(minutes: int) -> str:
    return (timezone.now() - timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


@pytest.fixture
def started_hook(org: Any) -> None:
    endpoint_create(organization=org, url="http://127.0.0.1:9/hook", events=["time_entry.started"])


def _payload(org: Any, name: str) -> dict[str, Any]:
    return json.loads(WebhookEvent.objects.filter(organization=org, name=name).latest("created_at").body)[
        "data"
    ]


def test_a_start_stores_its_source_and_entry_payloads_and_webhooks_show_it(
    owner_api, owner_agent, org, topic, started_hook
):
    response = owner_api.post("/api/agent/timer/start", {"topic": topic.id, "source": SOURCE}, format="json")
    assert response.status_code == 201
    entry = ClockedTime.objects.get(pk=response.json()["clockedTimeId"])
    assert (entry.session, entry.source_client, entry.source_repository) == (
        SOURCE["session"],
        "claude-code",
        "git@github.com:acme/alpha.git",
    )
    assert (entry.source_branch, entry.source_directory, entry.source_host) == (
        "feature/login",
        "/home/olivia/src/alpha",
        "olivia-laptop",
    )
    detail = owner_api.get(f"/api/v1/clocked-times/{entry.id}")
    assert detail.json()["source"] == SOURCE
    assert_documented(detail)
    # The running timer's webhook names its agent and session.
    payload = _payload(org, "time_entry.started")
    assert payload["source"] == SOURCE and payload["agentId"] == owner_agent.client_id
    assert payload["running"] is True


def test_the_full_start_takes_a_source_too(owner_api, topic):
    response = owner_api.post(
        "/api/v1/timer/start", {"topicId": topic.id, "source": {"client": "cursor"}}, format="json"
    )
    assert response.status_code == 201
    assert ClockedTime.objects.get(pk=response.json()["clockedTime"]["id"]).source_client == "cursor"


def test_an_entry_without_a_source_shows_empty_strings(owner_api, topic):
    response = owner_api.post("/api/agent/timer/start", {"topic": topic.id}, format="json")
    entry_id = response.json()["clockedTimeId"]
    assert owner_api.get(f"/api/clocked-times/{entry_id}").json()["source"] == {
        "client": "",
        "session": "",
        "repository": "",
        "branch": "",
        "directory": "",
        "host": "",
    }


def test_log_and_manual_entries_store_their_source(owner_api, topic):
    logged = owner_api.post(
        "/api/agent/time",
        {"topic": topic.id, "duration_minutes": 30, "source": {"client": "ci", "branch": "main"}},
        format="json",
    )
    assert logged.status_code == 201
    entry = ClockedTime.objects.get(pk=logged.json()["id"])
    assert (entry.source_client, entry.source_branch) == ("ci", "main")

    manual = owner_api.post(
        "/api/v1/clocked-times",
        {"topicId": topic.id, "startTime": _minutes_ago(120), "endTime": _minutes_ago(90), "source": SOURCE},
        format="json",
        HTTP_X_TEECKIN_SESSION=SOURCE["session"],
    )
    assert manual.status_code == 201, manual.json()
    assert manual.json()["source"] == SOURCE
    assert_documented(manual)


def test_the_session_header_alone_sets_the_entrys_session(owner_api, topic):
    logged = owner_api.post(
        "/api/agent/time",
        {"topic": topic.id, "duration_minutes": 5},
        format="json",
        HTTP_X_TEECKIN_SESSION="s-9",
    )
    assert ClockedTime.objects.get(pk=logged.json()["id"]).session == "s-9"


def test_credentials_in_a_repository_url_are_not_stored(owner_api, topic):
    source = {"repository": "https://olivia:ghp_secret123@github.com:443/acme/alpha.git"}
    response = owner_api.post("/api/agent/timer/start", {"topic": topic.id, "source": source}, format="json")
    entry = ClockedTime.objects.get(pk=response.json()["clockedTimeId"])
    assert entry.source_repository == "https://github.com:443/acme/alpha.git"


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ({"branch": "x" * 256}, "branch"),
        ({"repository": "x" * 501}, "repository"),
        ({"host": "evil\nX-Injected: 1"}, "host"),
        ({"client": 42}, "client"),
        ({"colour": "red"}, "colour"),
    ],
    ids=["branch-too-long", "repository-too-long", "control-character", "not-a-string", "unknown-field"],
)
def test_bad_sources_are_a_400_envelope_and_write_nothing(owner_api, topic, source, field):
    for path, body in (
        ("/api/agent/timer/start", {"topic": topic.id}),
        ("/api/agent/time", {"topic": topic.id, "duration_minutes": 5}),
        (
            "/api/v1/clocked-times",
            {"topicId": topic.id, "startTime": _minutes_ago(60), "endTime": _minutes_ago(30)},
        ),
    ):
        response = owner_api.post(path, {**body, "source": source}, format="json")
        assert response.status_code == 400, (path, response.content)
        assert field in response.json()["details"]["source"], response.json()
    assert not ClockedTime.objects.exists()


def test_a_source_that_is_not_an_object_is_a_400(owner_api, topic):
    response = owner_api.post("/api/agent/timer/start", {"topic": topic.id, "source": "repo"}, format="json")
    assert response.status_code == 400 and "source" in response.json()["details"]


def test_the_list_filters_by_session_and_repository(owner_api, owner, org, topic):
    now = timezone.now()
    for n, (session, repository) in enumerate(
        [("s-1", "acme/alpha"), ("s-2", "acme/alpha"), ("s-1", "acme/beta")]
    ):
        clocked_time_create(
            user=owner,
            organization=org,
            topic=topic,
            start_time=now - timedelta(hours=n + 2),
            end_time=now - timedelta(hours=n + 1),
            source=Source(session=session, repository=repository),
        )
    by_session = owner_api.get("/api/v1/clocked-times", {"session": "s-1"}).json()
    assert by_session["count"] == 2 and {r["source"]["session"] for r in by_session["results"]} == {"s-1"}
    by_repository = owner_api.get("/api/v1/clocked-times", {"repository": "acme/alpha"}).json()
    assert by_repository["count"] == 2
    both = owner_api.get("/api/v1/clocked-times", {"repository": "acme/alpha", "session": "s-2"})
    assert both.json()["count"] == 1
    assert_documented(both)


def test_the_list_does_not_reveal_another_organizations_session(owner_api, outsider_api, outsider_topic):
    response = outsider_api.post(
        "/api/agent/timer/start", {"topic": outsider_topic.id, "source": {"session": "s-x"}}, format="json"
    )
    assert response.status_code == 201
    assert owner_api.get("/api/v1/clocked-times", {"session": "s-x"}).json()["count"] == 0


def test_a_start_with_a_repository_and_no_topic_uses_the_agents_default_topic(
    owner_api, owner_agent, research
):
    owner_agent.agent.default_topic = research
    owner_agent.agent.save(update_fields=["default_topic"])
    response = owner_api.post(
        "/api/agent/timer/start", {"source": {"repository": "acme/alpha"}}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["topic"]["id"] == research.id
    full = owner_api.post(
        "/api/v1/timer/start", {"source": {"repository": "acme/alpha", "session": "s-2"}}, format="json"
    )
    assert full.status_code == 201 and full.json()["clockedTime"]["topicId"] == research.id


def test_a_start_with_a_repository_no_binding_and_no_default_topic_is_a_400(owner_api, topic):
    response = owner_api.post(
        "/api/agent/timer/start", {"source": {"repository": "acme/alpha"}}, format="json"
    )
    assert response.status_code == 400
    assert "topic" in response.json()["details"]
    assert not ClockedTime.objects.exists()


def test_a_start_without_topic_or_repository_is_refused_as_before(owner_api, owner_agent, research):
    owner_agent.agent.default_topic = research
    owner_agent.agent.save(update_fields=["default_topic"])
    for path, field in (("/api/agent/timer/start", "topic"), ("/api/v1/timer/start", "topicId")):
        response = owner_api.post(path, {"source": {"client": "claude-code"}}, format="json")
        assert response.status_code == 400
        assert response.json()["details"] == {field: ["This field is required."]}
    assert not ClockedTime.objects.exists()


def test_a_start_with_a_bound_repository_and_no_topic_lands_on_the_bound_topic(
    owner_api, owner_agent, topic, research
):
    # The binding wins over the agent's default topic; a remote URL finds the binding by its path.
    owner_agent.agent.default_topic = research
    owner_agent.agent.save(update_fields=["default_topic"])
    topic_repository_add(topic=topic, pattern="github.com/acme/alpha")
    response = owner_api.post(
        "/api/agent/timer/start",
        {"source": {"repository": "git@github.com:acme/alpha.git", "session": "s-1"}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["topic"]["id"] == topic.id
    unbound = owner_api.post(
        "/api/agent/timer/start", {"source": {"repository": "acme/other", "session": "s-2"}}, format="json"
    )
    assert unbound.status_code == 201 and unbound.json()["topic"]["id"] == research.id
