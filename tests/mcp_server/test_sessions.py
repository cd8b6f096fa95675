"""Session-aware timer tools: two Claude Code windows (sessions) of one agent keep their own timers,
whether the session comes as the tools' ``session`` argument or as the X-Teeckin-Session header."""

from __future__ import annotations

from typing import Any

import pytest

from apps.clocked_times.models import ClockedTime
from apps.topics.models import Topic
from tests.fixtures.asgi_server import LiveAsgiServer, mcp_call, tool_text
from tests.fixtures.auth import AgentCredentials

pytestmark = pytest.mark.usefixtures("transactional_db")


def call(
    server: LiveAsgiServer,
    credentials: AgentCredentials,
    *calls: tuple[str, dict],
    session: str | None = None,
) -> list[Any]:
    headers = None if session is None else {"X-Teeckin-Session": session}
    return mcp_call(server, credentials.client_id, credentials.client_secret, *calls, headers=headers)


def running() -> dict[str, str]:
    return {entry.session: entry.topic.name for entry in ClockedTime.objects.filter(end_time__isnull=True)}


def test_sessions_given_as_arguments_keep_their_own_timers(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, topic: Topic, research: Topic
) -> None:
    a, b, restart_a, status_b, noted_b, tagged_a, sessionless_stop = call(
        asgi_server,
        owner_agent,
        ("start_timer", {"topic": "Research", "session": "window-a"}),
        ("start_timer", {"topic": "Project Alpha", "session": "window-b"}),
        ("start_timer", {"topic": "Project Alpha", "session": "window-a"}),
        ("timer_status", {"session": "window-b"}),
        ("update_timer_notes", {"notes": "B's work", "session": "window-b"}),
        ("add_timer_tags", {"tags": ["spike"], "session": "window-a"}),
        ("stop_timer", {}),
    )
    assert b.structured_content["stopped"] is None  # B's start left A's timer alone
    # A's second start stopped A's first timer only.
    assert restart_a.structured_content["stopped"]["entryId"] == a.structured_content["entryId"]
    assert status_b.structured_content["entryId"] == b.structured_content["entryId"]
    assert noted_b.structured_content["entryId"] == b.structured_content["entryId"]
    assert tagged_a.structured_content["entryId"] == restart_a.structured_content["entryId"]
    # A caller without a session addresses the session-less timer: there is none, and both keep running.
    assert sessionless_stop.is_error and "NO_ACTIVE_TIMER" in tool_text(sessionless_stop)
    assert running() == {"window-a": "Project Alpha", "window-b": "Project Alpha"}
    assert ClockedTime.objects.get(pk=b.structured_content["entryId"]).notes == "B's work"

    (stop_b,) = call(asgi_server, owner_agent, ("stop_timer", {"session": "window-b"}))
    assert stop_b.structured_content["entryId"] == b.structured_content["entryId"]
    assert running() == {"window-a": "Project Alpha"}


def test_the_session_header_of_the_mcp_request_is_honoured(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic, topic: Topic
) -> None:
    (first,) = call(asgi_server, owner_agent, ("start_timer", {"topic": "Research"}), session="claude-1")
    (second,) = call(
        asgi_server, owner_agent, ("start_timer", {"topic": "Project Alpha"}), session="claude-2"
    )
    assert second.structured_content["stopped"] is None
    assert running() == {"claude-1": "Research", "claude-2": "Project Alpha"}

    status, same_in_argument, stopped = call(
        asgi_server,
        owner_agent,
        ("timer_status", {}),
        ("heartbeat", {"session": "claude-1"}),  # the argument may repeat the header
        ("stop_timer", {"notes": "done"}),
        session="claude-1",
    )
    assert status.structured_content["entryId"] == first.structured_content["entryId"]
    assert same_in_argument.structured_content["running"] is True
    assert stopped.structured_content["entryId"] == first.structured_content["entryId"]
    assert running() == {"claude-2": "Project Alpha"}


def test_bad_or_conflicting_sessions_are_tool_errors_and_write_nothing(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic
) -> None:
    spaced, too_long, conflicting = call(
        asgi_server,
        owner_agent,
        ("start_timer", {"topic": "Research", "session": "has space"}),
        ("start_timer", {"topic": "Research", "session": "x" * 129}),
        ("start_timer", {"topic": "Research", "session": "other"}),
        session="header-session",
    )
    for refusal in (spaced, too_long, conflicting):
        assert refusal.is_error and "INVALID_SESSION" in tool_text(refusal)
    assert "X-Teeckin-Session" in tool_text(conflicting)
    assert not ClockedTime.objects.exists()


def test_a_session_id_never_reaches_another_organizations_timer(
    asgi_server: LiveAsgiServer,
    owner_agent: AgentCredentials,
    outsider_agent: AgentCredentials,
    research: Topic,
    outsider_topic: Topic,
) -> None:
    (ours,) = call(asgi_server, owner_agent, ("start_timer", {"topic": "Research", "session": "same-id"}))
    status, beat, stop, notes, tags = call(
        asgi_server,
        outsider_agent,
        ("timer_status", {"session": "same-id"}),
        ("heartbeat", {"session": "same-id"}),
        ("stop_timer", {"session": "same-id"}),
        ("update_timer_notes", {"notes": "hijack", "session": "same-id"}),
        ("add_timer_tags", {"tags": ["x"], "session": "same-id"}),
    )
    assert status.structured_content["running"] is False and beat.structured_content["running"] is False
    for refusal in (stop, notes, tags):
        assert refusal.is_error and "NO_ACTIVE_TIMER" in tool_text(refusal)
    entry = ClockedTime.objects.get(pk=ours.structured_content["entryId"])
    assert entry.end_time is None and entry.notes == "" and not entry.tags.exists()
    assert entry.last_heartbeat_at is None
