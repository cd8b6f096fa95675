"""Claude Code hooks: each session is its own Teeckin tracker (``X-Teeckin-Session``).

- SessionStart (startup, resume) queues a start with provenance (session id, git repository and branch
  of ``cwd``'s top level, host) and no topic, so the server picks the repository's bound topic or the
  agent's default; when it cannot, the plugin's ``default_topic`` option is tried.
- PostToolUse and Stop send a heartbeat, at most one a minute per session (a local timestamp check). If
  the server has stopped the session's timer meanwhile (idle stop: the user was away), the heartbeat
  starts a new one, since the session is evidently working again.
- SessionEnd queues the stop (notes: the transcript's summary, when it has one).

Hooks must never slow down or fail the session: each handler only writes to the local journal and a
state file, then leaves the network to a detached ``teeckin`` process, and returns. Any error is logged
to ``state_dir()/hook.log`` and swallowed; the command always exits 0. Idempotency keys are derived from
the session id (and a per-session generation that a new start after an end increments), so a repeated
hook is answered from the server's record instead of writing twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from teeckin.cli import config, journal

CLIENT = "claude-code"
# The server stores a heartbeat at most once a minute per tracker anyway; tests shorten it.
HEARTBEAT_EVERY_SECONDS = float(os.environ.get("TEECKIN_HEARTBEAT_SECONDS") or 60)
START_SOURCES = {"startup", "resume", "clear"}
# The server's bounds on provenance (docs/api.md, "Sessions, heartbeats and provenance"): longer values
# are cut here rather than refused there.
SOURCE_MAX = {"client": 100, "session": 128, "repository": 500, "branch": 255, "directory": 1000, "host": 255}


def claude_code(raw: str) -> None:
    try:
        payload = json.loads(raw)
        if not isinstance(payload, dict):
            raise ValueError("the hook input is not a JSON object")
        handler = _HANDLERS.get(str(payload.get("hook_event_name", "")))
        if handler is not None:
            handler(payload)
    except Exception:
        _log(traceback.format_exc())


def _log(text: str) -> None:
    try:
        path = config.private_dir(config.state_dir()) / "hook.log"
        if path.exists() and path.stat().st_size > 1_000_000:
            path.unlink()
        with open(path, "a", opener=lambda p, f: os.open(p, f, 0o600)) as handle:
            handle.write(f"{datetime.now(UTC).isoformat(timespec='seconds')} {text.rstrip()}\n")
    except OSError:
        pass


def _session(payload: dict[str, Any]) -> str:
    session = str(payload.get("session_id") or "")
    # Session ids (and so idempotency keys and headers) are printable ASCII without spaces.
    session = "".join(char for char in session if " " < char <= "~")[: SOURCE_MAX["session"]]
    if not session:
        raise ValueError("the hook input has no session_id")
    return session


def _state_path(session: str) -> Path:
    name = hashlib.sha256(session.encode()).hexdigest()[:32]
    return config.private_dir(config.state_dir() / "claude-code") / f"{name}.json"


def _state(session: str) -> dict[str, Any]:
    return config.read_json(_state_path(session)) or {"generation": 0, "running": False, "heartbeat": 0}


def _save(session: str, state: dict[str, Any]) -> None:
    config.write_private(_state_path(session), state)


def _detach(*args: str) -> None:
    """Run ``teeckin ARGS`` in its own session, outliving this hook (and Claude Code's teardown)."""
    log = open(  # noqa: SIM115 - handed to the child, closed here once it has its own copy
        config.private_dir(config.state_dir()) / "hook.log", "a", opener=lambda p, f: os.open(p, f, 0o600)
    )
    try:
        subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
            [sys.executable, "-m", "teeckin.cli", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
            close_fds=True,
            # Not the project's directory: ``-m`` puts the working directory first on sys.path.
            cwd=config.state_dir(),
        )
    finally:
        log.close()


def _git(cwd: str, *args: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - git, found on PATH as the user's shell would
            ["git", "-C", cwd, *args],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=2,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _without_userinfo(url: str) -> str:
    """A remote URL without credentials (https://user:token@host/… becomes https://host/…)."""
    if "://" not in url:
        return url  # scp-like git@host:org/repo: the user is not a secret
    parts = urlsplit(url)
    host = parts.hostname or ""
    return urlunsplit(parts._replace(netloc=host if parts.port is None else f"{host}:{parts.port}"))


def _provenance(session: str, cwd: str) -> dict[str, str]:
    top = _git(cwd, "rev-parse", "--show-toplevel")
    source = {"client": CLIENT, "session": session, "directory": top or cwd, "host": socket.gethostname()}
    if top:
        remote = _git(top, "config", "--get", "remote.origin.url")
        source["repository"] = _without_userinfo(remote) if remote else Path(top).name
        # Empty on a detached HEAD; works on a branch without commits yet (rev-parse would not).
        source["branch"] = _git(top, "symbolic-ref", "--short", "-q", "HEAD")
    return {name: value[: SOURCE_MAX[name]] for name, value in source.items() if value}


def _option(name: str) -> str:
    prefix = "CLAUDE_PLUGIN_OPTION_"
    for variable in (f"{prefix}{name}", f"{prefix}{name.upper()}", f"TEECKIN_{name.upper()}"):
        if os.environ.get(variable):
            return os.environ[variable].strip()
    return ""


def _session_start(payload: dict[str, Any]) -> None:
    if str(payload.get("source", "startup")) not in START_SOURCES:
        return  # compact: the same session goes on
    session = _session(payload)
    _queue_start(session, str(payload.get("cwd") or os.getcwd()), _state(session))
    _detach("sync", "--quiet")


def _queue_start(session: str, cwd: str, state: dict[str, Any]) -> None:
    # A start after an end is a new timer (a new generation, so a new key); a start while the session
    # runs is the same start repeated, answered from the server's record.
    if not state.get("running"):
        state["generation"] = int(state.get("generation", 0)) + 1
    key = f"{CLIENT}:{session}:{state['generation']}:start"
    body: dict[str, Any] = {"source": _provenance(session, cwd)}
    default_topic = _option("default_topic")
    fallback = {"body": {**body, "topic": default_topic}, "key": f"{key}:default"} if default_topic else None
    journal.append(
        journal.Write(
            "POST",
            "/api/agent/timer/start",
            body,
            key,
            f"Claude Code session {session[:8]} start",
            session=session,
            takes_at=True,
            fallback=fallback,
        )
    )
    _save(session, {**state, "running": True, "heartbeat": time.time(), "cwd": cwd})


def restart_after_idle(session: str) -> bool:
    """Queue a new start for a session the server stopped (idle stop) while it is working again, as a
    heartbeat just showed; False when the session has ended here, so nothing should run."""
    state = _state(session)
    if not state.get("running"):
        return False
    _queue_start(session, str(state.get("cwd") or os.getcwd()), {**state, "running": False})
    return True


def _heartbeat(payload: dict[str, Any]) -> None:
    session = _session(payload)
    state = _state(session)
    now = time.time()
    if not state.get("running") or now - float(state.get("heartbeat", 0)) < HEARTBEAT_EVERY_SECONDS:
        return
    _save(session, {**state, "heartbeat": now})
    _detach("hook", "heartbeat", "--session", session)


def _summary(transcript: str) -> str:
    """The transcript's summary line, if Claude Code wrote one (read from the file's ends only)."""
    try:
        with open(transcript, "rb") as handle:
            head = handle.read(65536)
            handle.seek(max(handle.seek(0, os.SEEK_END) - 65536, len(head)))
            tail = handle.read()
    except OSError:
        return ""
    summary = ""
    for line in (head + b"\n" + tail).splitlines():
        if b'"summary"' not in line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("type") == "summary" and record.get("summary"):
            summary = " ".join(str(record["summary"]).split())
    return summary[:500]


def _session_end(payload: dict[str, Any]) -> None:
    session = _session(payload)
    state = _state(session)
    generation = max(int(state.get("generation", 0)), 1)
    summary = _summary(str(payload.get("transcript_path") or ""))
    journal.append(
        journal.Write(
            "POST",
            "/api/agent/timer/stop",
            {"notes": summary} if summary else {},
            f"{CLIENT}:{session}:{generation}:stop",
            f"Claude Code session {session[:8]} end",
            session=session,
            takes_at=True,
        )
    )
    _save(session, {**state, "generation": generation, "running": False})
    _detach("sync", "--quiet")


_HANDLERS = {
    "SessionStart": _session_start,
    "PostToolUse": _heartbeat,
    "Stop": _heartbeat,
    "SessionEnd": _session_end,
}
