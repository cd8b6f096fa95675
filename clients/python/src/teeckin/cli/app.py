"""``teeckin``: track time from a shell, a script, CI or an agent's hooks.

Exit codes: 0 done; 1 a local problem (not logged in, bad input); 2 wrong usage; 3 the server was
unreachable and the write is queued in the offline journal; 4 the server refused (its message and code
are printed); 5 the server was unreachable for a read.
"""

from __future__ import annotations

import json
import socket
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

import click

from teeckin.cli import config, durations, journal
from teeckin.cli.api import Api, Refused, Unreachable

EXIT_OK, EXIT_LOCAL, EXIT_QUEUED, EXIT_REFUSED, EXIT_UNREACHABLE = 0, 1, 3, 4, 5
CLIENT_NAME = "teeckin-cli"


class LocalError(click.ClickException):
    exit_code = EXIT_LOCAL

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code

    def show(self, file: Any = None) -> None:
        _emit_error(self.message, self.code, {})


# Set by ``main`` from the command line: errors raised after Click's context is gone still honour it.
_json_requested = False


def _as_json() -> bool:
    if _json_requested:
        return True
    ctx = click.get_current_context(silent=True)
    while ctx is not None:
        if ctx.params.get("as_json"):
            return True
        ctx = ctx.parent
    return False


def _emit_error(message: str, code: str, details: Any) -> None:
    if _as_json():
        click.echo(json.dumps({"error": message, "code": code, "details": details}))
    else:
        click.echo(f"Error: {message} ({code})", err=True)
        candidates = details.get("candidates") if isinstance(details, dict) else None
        if candidates:
            names = ", ".join(str(c.get("name")) for c in candidates[:5] if isinstance(c, dict))
            click.echo(f"Did you mean: {names}?", err=True)


def _finish(code: int) -> NoReturn:
    raise click.exceptions.Exit(code)


def json_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")(function)


def _api() -> Api:
    credentials = config.credentials_load()
    if credentials is None:
        raise LocalError(
            "Not logged in: run `teeckin login` (or set TEECKIN_URL, TEECKIN_CLIENT_ID and "
            "TEECKIN_CLIENT_SECRET).",
            "NOT_LOGGED_IN",
        )
    return Api(credentials)


def _report_replay(outcome: journal.Outcome) -> None:
    for write, refusal in outcome.refused:
        click.echo(f"Queued '{write.description}' was refused: {refusal}", err=True)
    if outcome.held is not None:
        click.echo(f"Queued writes kept ({outcome.pending}): {outcome.held}", err=True)
    if outcome.sent and not _as_json():
        click.echo(f"Sent {len(outcome.sent)} queued write(s).", err=True)


def _flush(api: Api) -> bool:
    """Replay the journal first, so writes reach the server in the order they were made. False when
    the server is unreachable."""
    if not journal.pending():
        return True
    outcome = journal.replay(api)
    _report_replay(outcome)
    return not outcome.stopped


def _queue(writes: list[journal.Write], reason: str) -> NoReturn:
    """Append ``writes`` to the journal, in order, and say so (exit 3)."""
    count = 0
    for write in writes:
        count = journal.append(write)
    if _as_json():
        click.echo(json.dumps({"queued": True, "pending": count, "idempotencyKeys": [w.key for w in writes]}))
    else:
        described = ", ".join(f"'{write.description}'" for write in writes)
        click.echo(
            f"Server unreachable ({reason}): {described} queued ({count} pending); sent with the original "
            "time on the next command or `teeckin sync`.",
            err=True,
        )
    _finish(EXIT_QUEUED)


def _refused(refusal: Refused) -> NoReturn:
    _emit_error(refusal.message, refusal.code, refusal.details)
    _finish(EXIT_REFUSED)


def _perform(writes: list[journal.Write], render: Callable[[list[Any]], str]) -> None:
    """Send ``writes`` in order (after the journal); queue them all from the first unreachable one."""
    api = _api()
    try:
        reachable = _flush(api)
        answers = []
        if not reachable:
            _queue(writes, "earlier writes are still queued")
        for index, write in enumerate(writes):
            try:
                answers.append(journal.send(api, write, replaying=False))
            except Unreachable as error:
                _queue(writes[index:], str(error) or "no answer")
            except Refused as refusal:
                _refused(refusal)
        if _as_json():
            click.echo(json.dumps(answers[-1] if len(answers) == 1 else answers))
        else:
            click.echo(render(answers))
    finally:
        api.close()


def _read(path: str, params: dict[str, Any] | None = None, *, api: Api | None = None) -> Any:
    """GET ``path`` after sending the queued writes. ``login`` passes its own ``api`` (credentials not
    stored yet) and sends nothing queued."""
    flush = api is None
    api = api or _api()
    try:
        if flush and not _flush(api):
            raise Unreachable("queued writes could not be sent")
        return api.request("GET", path, params=params)
    except Unreachable as error:
        count = len(journal.pending())
        queued = f"; {count} write(s) queued" if count else ""
        message = f"Cannot reach {api.credentials.server} ({error}){queued}."
        _emit_error(message, "UNREACHABLE", {})
        _finish(EXIT_UNREACHABLE)
    except Refused as refusal:
        _refused(refusal)
    finally:
        api.close()


def _key() -> str:
    return f"cli-{uuid.uuid4()}"


def _local(moment: str | None) -> str:
    if not moment:
        return "-"
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).astimezone().strftime("%H:%M")


def _source() -> dict[str, str]:
    return {"client": CLIENT_NAME, "host": socket.gethostname()[:200]}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="teeckin", message="teeckin %(version)s")
def cli() -> None:
    """Track time on Teeckin from the shell, scripts, CI and agent hooks."""


@cli.command()
@click.option("--server", help="Server URL, e.g. https://teeckin.example.com")
@click.option("--client-id", help="The agent's client id (teeckin_agent_…).")
@click.option("--client-secret", help="The agent's client secret (asked for when omitted).")
@json_option
def login(server: str | None, client_id: str | None, client_secret: str | None, as_json: bool) -> None:
    """Check an agent's credentials against the server and remember them."""
    server = (server or click.prompt("Server URL")).strip().rstrip("/")
    client_id = (client_id or click.prompt("Client id")).strip()
    client_secret = (client_secret or click.prompt("Client secret", hide_input=True)).strip()
    if not server.startswith(("http://", "https://")):
        raise LocalError("The server URL must start with https:// (http:// for a local server).", "BAD_URL")
    credentials = config.Credentials(server, client_id, client_secret)
    # The SDK fetches a token first (checking the credentials); it stays cached, keyed by these credentials.
    me = _read("/api/agent/me", api=Api(credentials))
    where = config.credentials_save(credentials)
    if as_json:
        click.echo(json.dumps({"loggedIn": True, "server": server, "secretStoredIn": where, **me}))
    else:
        agent, org = me.get("agent", {}), me.get("organization", {})
        click.echo(f"Logged in as {agent.get('name')} in {org.get('name')}; secret stored in {where}.")


@cli.command()
@json_option
def status(as_json: bool) -> None:
    """Is a timer running, on what, since when."""
    body = _read("/api/agent/timer")
    pending = len(journal.pending())
    if as_json:
        click.echo(json.dumps({**body, "pendingWrites": pending}))
        return
    if body.get("running"):
        topic = body["topic"]["name"] if body.get("topic") else "?"
        click.echo(f"Running: {topic} for {body['elapsedMinutes']} min (since {_local(body['startedAt'])}).")
    else:
        click.echo("No timer running.")
    if pending:
        click.echo(f"{pending} write(s) queued offline.")


@cli.command()
@click.argument("topic")
@click.option("-m", "--notes", default=None, help="What you are working on.")
@click.option("-t", "--tag", "tags", multiple=True, help="A tag (repeat for more).")
@json_option
def start(topic: str, notes: str | None, tags: tuple[str, ...], as_json: bool) -> None:
    """Start a timer on TOPIC (a name, fuzzy matched, or an id); stops the running one."""
    body: dict[str, Any] = {"topic": topic, "source": _source()}
    if notes:
        body["notes"] = notes
    writes = [journal.Write("POST", "/api/agent/timer/start", body, _key(), f"start {topic}", takes_at=True)]
    if tags:
        writes.append(journal.Write("POST", "/api/agent/timer/tags", {"tags": list(tags)}, _key(), "tag"))

    def render(answers: list[Any]) -> str:
        started = answers[0]
        line = f"Started {started['topic']['name']} at {_local(started['startedAt'])}."
        if started["topic"]["name"].casefold() != topic.casefold():
            line += f" (matched '{topic}')"
        if started.get("stopped"):
            stopped = started["stopped"]
            line += f" Stopped {stopped['topic']['name']} after {stopped['duration']} min."
        return line

    _perform(writes, render)


@cli.command()
@click.option("-m", "--notes", default=None, help="Replace the timer's notes.")
@json_option
def stop(notes: str | None, as_json: bool) -> None:
    """Stop the running timer."""
    body = {"notes": notes} if notes is not None else {}
    write = journal.Write("POST", "/api/agent/timer/stop", body, _key(), "stop", takes_at=True)
    _perform([write], lambda answers: f"Stopped after {answers[0]['duration']} min.")


@cli.command(name="log")
@click.argument("duration")
@click.argument("topic")
@click.option("-m", "--notes", default=None, help="What was done.")
@click.option("--at", "at", default=None, help="When it began: HH:MM today (local time) or ISO 8601.")
@json_option
def log_time(duration: str, topic: str, notes: str | None, at: str | None, as_json: bool) -> None:
    """Log DURATION (30m, 1h15m, 1.5h) of finished work on TOPIC."""
    try:
        minutes = durations.minutes_parse(duration)
        began = durations.clock_parse(at) if at else datetime.now(UTC) - timedelta(minutes=minutes)
    except ValueError as error:
        raise LocalError(str(error), "BAD_INPUT") from None
    # The start is fixed now, so a write replayed later from the journal keeps its time.
    body: dict[str, Any] = {
        "topic": topic,
        "duration_minutes": minutes,
        "start_time": durations.iso(began),
        "source": _source(),
    }
    if notes:
        body["notes"] = notes
    write = journal.Write("POST", "/api/agent/time", body, _key(), f"log {duration} {topic}")
    _perform(
        [write],
        lambda answers: f"Logged {answers[0]['duration']} min on {answers[0]['topic']['name']}.",
    )


@cli.command()
@click.argument("text")
@json_option
def notes(text: str, as_json: bool) -> None:
    """Replace the running timer's notes with TEXT."""
    write = journal.Write("PATCH", "/api/agent/timer", {"notes": text}, _key(), "notes")
    _perform([write], lambda answers: "Notes updated.")


@cli.command()
@click.argument("tags", nargs=-1, required=True)
@json_option
def tag(tags: tuple[str, ...], as_json: bool) -> None:
    """Add TAGS to the running timer (missing tags are created)."""
    write = journal.Write("POST", "/api/agent/timer/tags", {"tags": list(tags)}, _key(), "tag")
    _perform([write], lambda answers: "Tags: " + ", ".join(answers[0]["tags"]))


@cli.command()
@json_option
def topics(as_json: bool) -> None:
    """The topics you can track time on."""
    body = _read("/api/agent/topics")
    if as_json:
        click.echo(json.dumps(body))
        return
    for topic in body.get("topics", []):
        click.echo(f"{topic['id']}  {topic['name']}  ({topic['category']})")


@cli.command()
@json_option
def today(as_json: bool) -> None:
    """Today's entries (UTC day) and their total."""
    day = datetime.now(UTC).date().isoformat()
    entries: list[dict[str, Any]] = []
    page = 1
    while True:
        body = _read(
            "/api/v1/clocked-times", {"start_date": day, "end_date": day, "page": page, "page_size": 200}
        )
        entries.extend(body.get("results", []))
        if len(entries) >= body.get("count", 0) or not body.get("results"):
            break
        page += 1
    now = datetime.now(UTC)
    total = 0
    for entry in entries:
        if entry.get("duration") is None:
            started = datetime.fromisoformat(entry["startTime"].replace("Z", "+00:00"))
            entry["elapsed"] = int((now - started).total_seconds() // 60)
        total += entry.get("duration") if entry.get("duration") is not None else entry["elapsed"]
    if as_json:
        click.echo(json.dumps({"date": day, "totalMinutes": total, "entries": entries}))
        return
    if not entries:
        click.echo("Nothing tracked today.")
        return
    width = max(len(e["topic"]["name"]) for e in entries)
    for entry in sorted(entries, key=lambda e: e["startTime"]):
        minutes = entry["duration"] if entry.get("duration") is not None else entry["elapsed"]
        end = _local(entry.get("endTime")) if entry.get("endTime") else "now"
        click.echo(
            f"{_local(entry['startTime'])}-{end:>5}  {entry['topic']['name']:<{width}}  {minutes:>4} min"
            f"  {entry.get('notes') or ''}".rstrip()
        )
    click.echo(f"Total: {total // 60} h {total % 60:02d} min")


@cli.command()
@click.option("--quiet", is_flag=True, help="Print nothing (for hooks).")
@json_option
def sync(quiet: bool, as_json: bool) -> None:
    """Send the writes queued while the server was unreachable, in order, with their original times."""
    api = _api()
    try:
        outcome = journal.replay(api)
    finally:
        api.close()
    if as_json:
        body: dict[str, Any] = {
            "sent": len(outcome.sent),
            "refused": [
                {"write": write.description, "error": refusal.message, "code": refusal.code}
                for write, refusal in outcome.refused
            ],
            "pending": outcome.pending,
        }
        if outcome.held is not None:
            body["held"] = {"error": outcome.held.message, "code": outcome.held.code}
        click.echo(json.dumps(body))
    elif not quiet:
        _report_replay(outcome)
        if outcome.unreachable:
            click.echo(f"Server unreachable: {outcome.pending} write(s) still queued.", err=True)
        elif not outcome.sent and not outcome.refused and not outcome.held:
            click.echo("Nothing queued.")
    if outcome.stopped:
        _finish(EXIT_QUEUED)
    if outcome.refused:
        _finish(EXIT_REFUSED)


@cli.group()
def hook() -> None:
    """Entry points for agents' hooks (they read the hook's JSON on stdin and always exit 0)."""


@hook.command(name="claude-code")
def hook_claude_code() -> None:
    """Claude Code's SessionStart, PostToolUse, Stop and SessionEnd hooks."""
    from teeckin.cli import hooks

    hooks.claude_code(sys.stdin.read())


@hook.command(name="heartbeat", hidden=True)
@click.option("--session", required=True)
def hook_heartbeat(session: str) -> None:
    """Send the queued writes, then "this session is still working" (run detached by the hooks)."""
    from teeckin.cli import hooks

    api = _api()
    try:
        if _flush(api):
            # Each heartbeat is news: its key only makes the SDK's own retries of it safe.
            api.request("POST", "/api/agent/timer/heartbeat", body={}, key=_key(), session=session)
    except Refused as refusal:
        if refusal.code == "NO_ACTIVE_TIMER" and hooks.restart_after_idle(session):
            _flush(api)
    except Unreachable:
        pass  # a lost heartbeat costs nothing: the next one, a minute later, says the same
    finally:
        api.close()


def main() -> None:
    global _json_requested
    _json_requested = "--json" in sys.argv[1:]
    try:
        code = cli.main(standalone_mode=False) or 0
    except click.exceptions.Exit as done:
        code = done.exit_code
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        code = 130
    except Exception as error:  # never a traceback for the user
        _emit_error(f"{type(error).__name__}: {error}", "INTERNAL", {})
        code = EXIT_LOCAL
    sys.exit(code if isinstance(code, int) else 0)
