"""The MCP tools through the SDK's client against the live server: what they do, what they refuse, and
that another organization's data never shows (cross-organization isolation)."""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from apps.clocked_times.models import ClockedTime
from apps.topics.models import Topic
from tests.conftest import make_topic
from tests.fixtures.asgi_server import LiveAsgiServer, mcp_call, mcp_session_calls, mcp_token
from tests.fixtures.asgi_server import tool_text as text_of
from tests.fixtures.auth import AgentCredentials

pytestmark = pytest.mark.usefixtures("transactional_db")


def call(server: LiveAsgiServer, credentials: AgentCredentials, *calls: tuple[str, dict]) -> list[Any]:
    return mcp_call(server, credentials.client_id, credentials.client_secret, *calls)


def test_timer_lifecycle_through_the_tools(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic, tags: Any
) -> None:
    status, started, noted, tagged, running, stopped, idle = call(
        asgi_server,
        owner_agent,
        ("timer_status", {}),
        ("start_timer", {"topic": "research", "notes": "Reading papers", "tags": ["bug-fix"]}),
        ("update_timer_notes", {"notes": "Reading two papers"}),
        ("add_timer_tags", {"tags": ["feature", "spike"]}),
        ("timer_status", {}),
        ("stop_timer", {"notes": "Read two papers"}),
        ("timer_status", {}),
    )
    assert status.structured_content["running"] is False
    assert started.structured_content["topic"] == {
        "id": research.id,
        "name": "Research",
        "category": "Internal",
    }
    assert started.structured_content["tags"] == ["bug-fix"]
    assert noted.structured_content["notes"] == "Reading two papers"
    assert tagged.structured_content["tags"] == ["bug-fix", "feature", "spike"]
    assert (
        running.structured_content["running"] is True
        and running.structured_content["topic"]["name"] == "Research"
    )
    assert stopped.structured_content["stopped"] is True
    assert idle.structured_content["running"] is False
    entry = ClockedTime.objects.get(pk=started.structured_content["entryId"])
    assert entry.notes == "Read two papers" and entry.agent_id == owner_agent.agent.pk


def test_unknown_and_ambiguous_topics_are_tool_errors_listing_candidates(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, org: Any, research: Topic
) -> None:
    make_topic(org, "Client Alpha", "Client Work")
    make_topic(org, "Client Alpho", "Client Work")
    unknown, ambiguous, nothing_running, nul = call(
        asgi_server,
        owner_agent,
        ("start_timer", {"topic": "Researc stuff", "notes": ""}),
        ("start_timer", {"topic": "Client Alph"}),
        ("stop_timer", {}),
        ("start_timer", {"topic": "Research", "notes": "bad\x00notes"}),
    )
    assert nul.is_error and "notes" in text_of(nul)
    assert unknown.is_error and "No topic matches" in text_of(unknown) and "Research" in text_of(unknown)
    assert ambiguous.is_error
    assert "Client Alpha" in text_of(ambiguous) and "Client Alpho" in text_of(ambiguous)
    assert "Retry with one of these" in text_of(ambiguous)
    assert nothing_running.is_error and "NO_ACTIVE_TIMER" in text_of(nothing_running)
    assert not ClockedTime.objects.exists()


def test_log_time_recent_entries_and_summary(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, topic: Topic, research: Topic, midweek: Any
) -> None:
    # At a Wednesday noon: thirty minutes logged "now" lie wholly inside this week whatever the real hour.
    logged, naive, recent, summary = call(
        asgi_server,
        owner_agent,
        ("log_time", {"topic": "Project Alpha", "minutes": 30, "notes": "Review"}),
        ("log_time", {"topic": "Research", "minutes": 20, "start": "2026-01-01T09:00:00"}),
        ("recent_entries", {"limit": 5}),
        ("time_summary", {"period": "week"}),
    )
    assert logged.structured_content["minutes"] == 30
    assert naive.is_error and "timezone" in text_of(naive)
    entries = recent.structured_content["entries"]
    assert [entry["topic"]["name"] for entry in entries] == ["Project Alpha"]
    assert summary.structured_content["byTopic"][0]["topic"]["name"] == "Project Alpha"
    assert summary.structured_content["totalMinutes"] == 30


def test_list_topics_and_instructions_carry_the_guidance(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, topic: Topic, research: Topic
) -> None:
    token = mcp_token(asgi_server, owner_agent.client_id, owner_agent.client_secret, asgi_server.mcp_url)
    initialized, listed, (topics,) = anyio.run(mcp_session_calls, asgi_server, token, [("list_topics", {})])
    assert "Organization guidance: Use Project Alpha for client deliverables." in initialized.instructions
    content = topics.structured_content
    assert content["organizationGuidance"] == "Use Project Alpha for client deliverables."
    names = {t["name"] for group in content["categories"] for t in group["topics"]}
    assert names == {"Project Alpha", "Research"}
    start = next(tool for tool in listed.tools if tool.name == "start_timer")
    assert start.input_schema["required"] == ["topic"]
    assert "description" in start.input_schema["properties"]["topic"]


def test_another_organization_sees_nothing_of_ours_through_the_tools(
    asgi_server: LiveAsgiServer,
    owner_agent: AgentCredentials,
    outsider_agent: AgentCredentials,
    topic: Topic,
    outsider_topic: Topic,
) -> None:
    (ours,) = call(asgi_server, owner_agent, ("start_timer", {"topic": "Project Alpha"}))
    assert not ours.is_error
    by_name, by_id, topics, status, recent, summary = call(
        asgi_server,
        outsider_agent,
        ("start_timer", {"topic": "Project Alpha"}),
        ("start_timer", {"topic": topic.id}),
        ("list_topics", {}),
        ("timer_status", {}),
        ("recent_entries", {}),
        ("time_summary", {"period": "today"}),
    )
    assert by_name.is_error and "Project Alpha" not in text_of(by_name).replace("'Project Alpha'", "")
    assert by_id.is_error and "Project Alpha" not in text_of(by_id)
    names = {t["name"] for group in topics.structured_content["categories"] for t in group["topics"]}
    assert names == {"Globex Secret Project"}
    assert topics.structured_content["organizationGuidance"] == ""
    assert status.structured_content["running"] is False
    assert recent.structured_content["entries"] == []
    assert summary.structured_content["byTopic"] == []
    assert ClockedTime.objects.filter(user=outsider_agent.agent.user).count() == 0


def test_tools_count_in_the_rest_api_rate_limits(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic, settings: Any
) -> None:
    settings.RATELIMITS = {
        **settings.RATELIMITS,
        "BUCKETS": {**settings.RATELIMITS["BUCKETS"], "timer": "2/m"},
    }
    first, second, third = call(
        asgi_server,
        owner_agent,
        ("start_timer", {"topic": "Research"}),
        ("stop_timer", {}),
        ("start_timer", {"topic": "Research"}),
    )
    assert not first.is_error and not second.is_error
    assert third.is_error and "Rate limit exceeded" in text_of(third) and "'timer'" in text_of(third)
    assert ClockedTime.objects.count() == 1


def test_every_tool_publishes_typed_input_and_output_schemas(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials
) -> None:
    token = mcp_token(asgi_server, owner_agent.client_id, owner_agent.client_secret, asgi_server.mcp_url)
    _, listed, _ = anyio.run(mcp_session_calls, asgi_server, token, [])
    for tool in listed.tools:
        assert len(tool.description or "") > 40, tool.name
        assert tool.output_schema is not None and tool.output_schema.get("required"), tool.name
        for name, prop in tool.input_schema.get("properties", {}).items():
            assert prop.get("description"), f"{tool.name}.{name} has no description"
