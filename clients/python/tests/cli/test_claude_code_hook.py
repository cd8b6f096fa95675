"""``teeckin hook claude-code`` fed the JSON Claude Code sends its hooks, against a live server.

The payloads have the shape Claude Code documents for command hooks: ``session_id``, ``transcript_path``,
``cwd``, ``permission_mode``, ``hook_event_name`` and the event's own fields (``source`` and ``model`` on
SessionStart, ``tool_name``/``tool_input``/``tool_response`` on PostToolUse, ``reason`` on SessionEnd).
Credentials reach the hook as the plugin's options (``CLAUDE_PLUGIN_OPTION_*``), as they do in Claude Code.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from apps.clocked_times.models import ClockedTime
from apps.timer.services import timer_stop
from apps.topics.models import Topic

from .conftest import Cast, Cli, TcpProxy


def git_repository(path: Path, *, branch: str, remote: str | None) -> Path:
    path.mkdir(parents=True)
    for command in (
        ["git", "init", "-q", "-b", branch],
        *([["git", "remote", "add", "origin", remote]] if remote else []),
    ):
        subprocess.run(command, cwd=path, check=True, capture_output=True)
    (path / "src").mkdir()
    return path


def payload(event: str, session: str, cwd: Path, **fields: Any) -> str:
    base = {
        "session_id": session,
        "transcript_path": str(cwd / f"{session}.jsonl"),
        "cwd": str(cwd / "src"),  # a subdirectory: provenance comes from the git top level
        "permission_mode": "default",
        "hook_event_name": event,
    }
    return json.dumps({**base, **fields})


def session_start(session: str, cwd: Path) -> str:
    return payload("SessionStart", session, cwd, source="startup", model="claude-sonnet-4-5")


def post_tool_use(session: str, cwd: Path) -> str:
    return payload(
        "PostToolUse",
        session,
        cwd,
        tool_name="Bash",
        tool_input={"command": "ls"},
        tool_response={"stdout": "src", "stderr": "", "interrupted": False},
    )


def session_end(session: str, cwd: Path) -> str:
    return payload("SessionEnd", session, cwd, reason="prompt_input_exit")


def plugin_cli(cli: Cli, proxy: TcpProxy, cast: Cast) -> Cli:
    env = {
        **cli.env,
        "CLAUDE_PLUGIN_OPTION_server_url": proxy.url,
        "CLAUDE_PLUGIN_OPTION_client_id": cast.agent.client_id,
        "CLAUDE_PLUGIN_OPTION_client_secret": cast.agent.client_secret,
        "TEECKIN_HEARTBEAT_SECONDS": "2",
    }
    return Cli(env=env, state=cli.state)


def hook(cli: Cli, stdin: str) -> float:
    """Run the hook as Claude Code does; returns how long it took."""
    began = time.monotonic()
    done = cli("hook", "claude-code", stdin=stdin)
    elapsed = time.monotonic() - began
    assert done.returncode == 0
    assert done.stdout == ""
    return elapsed


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_two_interleaved_sessions_track_their_own_entries_with_provenance_and_heartbeats(
    cli: Cli, proxy: TcpProxy, cast: Cast, tmp_path: Path
) -> None:
    alpha = Topic.objects.get(name="Project Alpha")
    cast.agent.agent.default_topic = alpha  # no repository binding: the agent's default topic applies
    cast.agent.agent.save(update_fields=["default_topic"])
    cli = plugin_cli(cli, proxy, cast)
    repo_a = git_repository(
        tmp_path / "alpha",
        branch="feature/login",
        remote="https://olivia:ghp_s3cret@git.example.com/acme/alpha.git",
    )
    repo_b = git_repository(tmp_path / "beta", branch="main", remote=None)
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    entries = ClockedTime.objects.filter(user=cast.user)

    hook(cli, session_start(a, repo_a))
    hook(cli, session_start(b, repo_b))
    wait_for(lambda: entries.filter(end_time__isnull=True).count() == 2 and not cli.journal(), "two starts")
    entry_a, entry_b = entries.get(session=a), entries.get(session=b)

    # A heartbeat at most once per interval (60 s; 2 s here) after the start: PostToolUse and Stop send it.
    time.sleep(2.1)
    hook(cli, post_tool_use(a, repo_a))
    hook(cli, payload("Stop", b, repo_b, stop_hook_active=False))
    for entry in (entry_a, entry_b):
        wait_for(lambda e=entry: entries.get(pk=e.pk).last_heartbeat_at is not None, "a heartbeat")

    # The server stops A meanwhile (as idle stop does when the user is away); A's next tool call, a
    # heartbeat answered NO_ACTIVE_TIMER, starts A again.
    timer_stop(user=cast.user, agent=cast.agent.agent, session=a)
    time.sleep(2.1)
    hook(cli, post_tool_use(a, repo_a))
    wait_for(lambda: entries.filter(session=a).count() == 2 and not cli.journal(), "A's restart")
    resumed_a = entries.get(session=a, end_time__isnull=True)

    # A repeated SessionStart (the hook fired twice) is the same start: no second entry.
    hook(cli, session_start(b, repo_b))
    hook(cli, session_end(a, repo_a))
    wait_for(lambda: entries.get(pk=resumed_a.pk).end_time is not None and not cli.journal(), "A's stop")
    assert entries.get(pk=entry_b.pk).end_time is None  # parallel sessions never stop each other
    hook(cli, session_end(b, repo_b))
    hook(cli, session_end(b, repo_b))  # and a repeated SessionEnd is the same stop
    wait_for(lambda: entries.get(pk=entry_b.pk).end_time is not None and not cli.journal(), "B's stop")

    assert entries.count() == 3
    assert entries.filter(session=b).count() == 1
    entry_a, entry_b = entries.get(pk=resumed_a.pk), entries.get(session=b)
    assert (entry_a.topic, entry_b.topic) == (alpha, alpha)
    assert entry_a.agent_id == entry_b.agent_id == cast.agent.agent.pk
    assert entry_a.source_client == entry_b.source_client == "claude-code"
    assert entry_a.source_repository == "https://git.example.com/acme/alpha.git"  # the token is dropped
    assert (entry_a.source_branch, entry_a.source_directory) == ("feature/login", str(repo_a))
    assert (entry_b.source_repository, entry_b.source_branch) == ("beta", "main")
    assert entry_a.source_host == entry_b.source_host == socket.gethostname()


def test_session_end_returns_within_a_second_with_the_server_down_and_keeps_its_time(
    cli: Cli, proxy: TcpProxy, cast: Cast, tmp_path: Path
) -> None:
    cli = plugin_cli(cli, proxy, cast)
    # No repository binding and no agent default topic: the plugin's default_topic option applies.
    cli.env["CLAUDE_PLUGIN_OPTION_default_topic"] = "Research"
    repo = git_repository(tmp_path / "gamma", branch="main", remote=None)
    session = str(uuid.uuid4())
    hook(cli, session_start(session, repo))
    wait_for(lambda: ClockedTime.objects.filter(session=session).exists() and not cli.journal(), "the start")
    assert ClockedTime.objects.get(session=session).topic.name == "Research"
    # Claude Code's transcript (JSON lines) with the summary it writes: it becomes the stop's notes.
    transcript = [
        {"type": "summary", "summary": "Fix the flaky login test", "leafUuid": str(uuid.uuid4())},
        {"type": "user", "sessionId": session, "message": {"role": "user", "content": "fix it"}},
    ]
    (repo / f"{session}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in transcript))

    proxy.down()
    ended_at = time.time()
    assert hook(cli, session_end(session, repo)) < 1
    assert [write["path"] for write in cli.journal()] == ["/api/agent/timer/stop"]
    time.sleep(6)  # the detached sender gives up (server down); the stop waits in the journal
    assert ClockedTime.objects.get(session=session).end_time is None
    assert len(cli.journal()) == 1

    proxy.up()
    synced = cli("sync", "--json")
    assert json.loads(synced.stdout) == {"sent": 1, "refused": [], "pending": 0}
    entry = ClockedTime.objects.get(session=session)
    assert entry.end_time is not None
    assert abs(entry.end_time.timestamp() - ended_at) < 2  # when the session ended, not when it synced
    assert entry.notes == "Fix the flaky login test"


def test_the_hook_never_fails_the_session(cli: Cli, tmp_path: Path) -> None:
    # No credentials configured and a server nowhere: still exit 0, quickly, with nothing on stdout.
    assert hook(cli, "not json at all") < 2
    assert hook(cli, json.dumps({"hook_event_name": "SessionStart", "cwd": str(tmp_path)})) < 2
    assert "Traceback" in (cli.state / "hook.log").read_text()  # logged for whoever investigates
