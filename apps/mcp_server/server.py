"""Teeckin's MCP server: time-tracking tools for MCP clients (Claude Code, Cursor, VS Code, Claude Desktop).

The official SDK (``mcp``, ``MCPServer``) speaks the protocol: Streamable HTTP, version negotiation, JSON
and SSE answers, tool schemas from the signatures below. Each tool does what the matching REST endpoint
does, through the same services and selectors, counted in the same rate-limit buckets (a timer start or
stop in "timer" and "write", reads in "read", all in the organization's plan quota), and acts as the
person the token is for, recording the agent on every entry it writes.

Refusals a model can act on (an unknown or ambiguous topic, no running timer, a rate limit) are tool
errors (``isError: true``) with a message that says what to do, candidates included; never a protocol
error and never a guess.

The organization's guidance ("use Project Alpha for client deliverables") is part of the instructions the
server sends at ``initialize`` (and ``server/discover``), and ``list_topics`` returns it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from types import SimpleNamespace
from typing import Annotated, Any, Literal, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, TextContent
from pydantic import Field

from apps.agents.models import Agent
from apps.agents.oauth_views import MCP_PATH
from apps.clocked_times import services as entries
from apps.clocked_times.api.provenance import SESSION_HEADER
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.provenance import Source, session_clean
from apps.core.errors import DomainError, NoActiveTimer
from apps.idempotency.services import (
    RecordedAnswer,
    idempotency_key_claim,
    idempotency_key_clean,
    idempotency_key_execute,
    idempotency_key_release_after_error,
    idempotency_key_settle,
    request_fingerprint,
)
from apps.idempotency.views import HEADER as IDEMPOTENCY_HEADER
from apps.mcp_server.gate import TeeckinAccessToken
from apps.mcp_server.outputs import (
    AddTagsOutput,
    Entry,
    HeartbeatOutput,
    ListTopicsOutput,
    LogTimeOutput,
    RecentEntriesOutput,
    ResolveTopicOutput,
    StartTimerOutput,
    StopTimerOutput,
    TimerStatusOutput,
    TimeSummaryOutput,
    TopicMinutes,
    TopicRef,
    UpdateNotesOutput,
)
from apps.organizations.actor import Actor
from apps.ratelimits.buckets import charge_api_request
from apps.timer import services as timer
from apps.topics.matching import topic_resolve
from apps.topics.selectors import topic_resolve_explain, topics_for_agent

T = TypeVar("T")

# Idempotency keys of tool calls share the REST API's table, scoped as there (organization and user); the
# "request" a key names is the tool (method MCP, path /mcp/tools/<name>) and its arguments as the body.
IDEMPOTENCY_METHOD = "MCP"
# In a replayed tool result's _meta, as the REST API's Idempotent-Replayed header.
REPLAYED_META = "teeckin/idempotentReplayed"

INSTRUCTIONS = (
    "Teeckin tracks the time you spend working for the signed-in person. Start a timer when you begin a "
    "task (start_timer), keep its notes current (update_timer_notes), stop it when the task is done "
    "(stop_timer); use log_time for work already finished. Call list_topics first to pick the right topic; "
    "when unsure which topic a name lands on, ask resolve_topic (it writes nothing). Names are matched "
    "fuzzily, and an unknown or ambiguous name returns the closest topics to retry with. If several "
    "sessions of yours run at once, pass the same session id to every timer tool so each session keeps "
    "its own timer; send heartbeat now and then while a long task runs."
)

# No NUL characters: PostgreSQL refuses them in text (the REST API's fields refuse them too).
NO_NUL = r"^[^\x00]*$"
TopicArg = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        pattern=NO_NUL,
        description="A topic name (typos and partial names are matched) or a topic id (top-…).",
    ),
]
NotesArg = Annotated[
    str,
    Field(max_length=10_000, pattern=NO_NUL, description="What is being worked on, in a sentence or two."),
]
TagName = Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)]
TagsArg = Annotated[
    list[TagName],
    Field(max_length=20, description="Tag names, e.g. ['bug-fix']; missing tags are created."),
]
# Optional forms keep their description at the top of the property (not inside anyOf), where clients look.
OptionalTagsArg = Annotated[
    Annotated[list[TagName], Field(max_length=20)] | None,
    Field(description="Tag names to attach, e.g. ['bug-fix']; missing tags are created."),
]
OptionalNotesArg = Annotated[
    Annotated[str, Field(max_length=10_000, pattern=NO_NUL)] | None,
    Field(description="A summary of the work that replaces the entry's notes; omit to keep them."),
]


SessionArg = Annotated[
    str | None,
    Field(
        description=(
            "Your session id (e.g. Claude Code's session_id), if several sessions of you may run at once: "
            "each session has its own timer and never stops another's. Same as the X-Teeckin-Session "
            "header. Omit for your session-less timer."
        )
    ),
]
IdempotencyKeyArg = Annotated[
    str | None,
    Field(
        description=(
            "Optional unique key for this write (e.g. a UUID), reused only when retrying it: a repeat with "
            "the same key and arguments within 24 hours returns the first result and writes nothing. Same "
            "as the Idempotency-Key header."
        )
    ),
]


# --- Plumbing ---------------------------------------------------------------------------------------------


def _caller(ctx: Context) -> TeeckinAccessToken:
    request = ctx.request_context.request
    user = request.scope.get("user") if request is not None else None
    token = getattr(user, "access_token", None)
    if not isinstance(token, TeeckinAccessToken):  # McpGate lets no unauthenticated call through
        raise ToolError("Not authenticated.")
    return token


def _actor(caller: TeeckinAccessToken) -> Actor:
    agent = Agent.objects.select_related("user__membership__organization").get(pk=caller.agent_id)
    return Actor(user=agent.user, membership=agent.user.membership, agent=agent)


def _charge(actor: Actor, *, write: bool, bucket: str | None) -> None:
    """The REST API's rate limits, for the same agent: a stand-in request carries what the limiter reads."""
    request = HttpRequest()
    request.method = "POST" if write else "GET"
    request.user = actor.user
    request.auth = SimpleNamespace(application=actor.agent)
    state = charge_api_request(request, scope=bucket)
    refusal = state.refusal
    if refusal is not None:
        raise ToolError(
            f"Rate limit exceeded: {refusal.description}. Retry in {refusal.reset} seconds; do not retry "
            "sooner."
        )


def _domain_message(error: DomainError) -> str:
    """A refusal as a model reads it; a topic refusal lists the resolver's candidates (as resolve_topic)."""
    candidates = error.details.get("candidates") if isinstance(error.details, dict) else None
    if error.code in ("TOPIC_NOT_FOUND", "TOPIC_AMBIGUOUS"):
        if candidates:
            listed = "; ".join(
                f"{c['name']} (category {c['category']}, id {c['id']}, score {c['score']:g})"
                for c in candidates
            )
            return (
                f"{error.message} ({error.code}) Candidates, closest first: {listed}. Retry with one of "
                "these names or ids."
            )
        return f"{error.message} ({error.code}) Call list_topics to see the organization's topics."
    return f"{error.message} ({error.code})"


def _header(ctx: Context, name: str) -> str | None:
    request = ctx.request_context.request
    return request.headers.get(name) if request is not None else None


def _one_of(argument: str, header: str, *, what: str, code: str) -> str:
    """The argument or the header; both given must agree (as the REST API's header and body)."""
    if argument and header and argument != header:
        raise ToolError(f"The {what} argument and the {_HEADERS[what]} header differ; give one. ({code})")
    return argument or header


_HEADERS = {"session": SESSION_HEADER, "idempotency_key": IDEMPOTENCY_HEADER}


def _session(ctx: Context, argument: str | None) -> str:
    """The caller's session: the argument or the X-Teeckin-Session header ("" for none), validated."""
    try:
        header = session_clean(_header(ctx, SESSION_HEADER) or "", field=SESSION_HEADER)
        given = session_clean(argument or "", field="session")
    except DomainError as error:
        raise ToolError(_domain_message(error)) from error
    return _one_of(given, header, what="session", code="INVALID_SESSION")


def _idempotency_key(ctx: Context, argument: str | None) -> str | None:
    """The key of this write: the argument or the Idempotency-Key header, validated; None for none."""
    raw_header = _header(ctx, IDEMPOTENCY_HEADER)
    try:
        header = idempotency_key_clean(raw_header) if raw_header is not None else ""
        given = idempotency_key_clean(argument) if argument is not None else ""
    except DomainError as error:
        raise ToolError(_domain_message(error)) from error
    return _one_of(given, header, what="idempotency_key", code="INVALID_IDEMPOTENCY_KEY") or None


@dataclass(frozen=True)
class _Write:
    """A write tool's call as an idempotency key sees it: the tool, its arguments, the key (if any)."""

    tool: str
    arguments: dict[str, Any]
    key: str | None


def _recorded(status_code: int, payload: dict[str, Any]) -> RecordedAnswer:
    body = json.dumps(payload, default=str).encode()  # key order kept: a replay reads the same
    return RecordedAnswer(status_code=status_code, body=body, content_type="application/json")


def _idempotently(actor: Actor, call: _Write, work: Callable[[Actor], T]) -> tuple[T, bool]:
    """Run ``work`` under the call's idempotency key, as the REST API's writes: (result, replayed).

    A replay answers what the first call answered (its result, or its tool error) without writing.
    """
    assert call.key is not None
    path = f"{MCP_PATH}/tools/{call.tool}"
    outcome = idempotency_key_claim(
        organization=actor.organization,
        user=actor.user,
        key=call.key,
        fingerprint=request_fingerprint(method=IDEMPOTENCY_METHOD, path=path, data=call.arguments),
        method=IDEMPOTENCY_METHOD,
        path=path,
    )
    if isinstance(outcome, RecordedAnswer):
        recorded = json.loads(outcome.body)
        if "error" in recorded:
            raise ToolError(recorded["error"])
        return recorded["result"], True
    try:
        result = idempotency_key_execute(
            claim=outcome, run=lambda: work(actor), answer=lambda done: _recorded(200, {"result": done})
        )
    except (DomainError, ToolError) as error:
        # The writes rolled back; a final refusal is recorded for replays, a "retry" one releases the key.
        if isinstance(error, DomainError):
            message, status_code = _domain_message(error), error.status_code
        else:
            message, status_code = str(error), 400
        idempotency_key_settle(claim=outcome, answer=_recorded(status_code, {"error": message}))
        raise ToolError(message) from error
    except BaseException:
        idempotency_key_release_after_error(claim=outcome)
        raise
    return result, False


def _in_django(caller: TeeckinAccessToken, work: Callable[[Actor], T], write: bool, bucket: str | None) -> T:
    # As Django does around each request: stale or broken connections are not reused.
    close_old_connections()
    try:
        actor = _actor(caller)
        _charge(actor, write=write, bucket=bucket)
        try:
            return work(actor)
        except DomainError as error:
            raise ToolError(_domain_message(error)) from error
    finally:
        close_old_connections()


async def _run(
    ctx: Context, work: Callable[[Actor], T], *, write: bool = False, bucket: str | None = None
) -> T:
    # Django's sync thread, as Django runs sync views under ASGI: one database connection per process.
    return await sync_to_async(_in_django, thread_sensitive=True)(_caller(ctx), work, write, bucket)


async def _run_write(
    ctx: Context, call: _Write, work: Callable[[Actor], Mapping[str, Any]], *, bucket: str | None = None
) -> CallToolResult:
    """A write tool's run: rate limits first (a refused call claims no key), then its idempotency key."""

    def keyed(actor: Actor) -> tuple[Mapping[str, Any], bool]:
        return (work(actor), False) if call.key is None else _idempotently(actor, call, work)

    result, replayed = await _run(ctx, keyed, write=True, bucket=bucket)
    return CallToolResult(
        content=[TextContent(type="text", text=json.dumps(result, indent=2))],
        structured_content=result,
        meta={REPLAYED_META: True} if replayed else None,
    )


def _topic(topic: Any) -> TopicRef:
    return {"id": topic.id, "name": topic.name, "category": topic.category.name}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _entry(entry: ClockedTime, now: datetime) -> Entry:
    end = entry.end_time or now
    return {
        "id": entry.id,
        "topic": _topic(entry.topic),
        "startedAt": _iso(entry.start_time),
        "endedAt": _iso(entry.end_time),
        "running": entry.end_time is None,
        "minutes": max(int((end - entry.start_time).total_seconds() // 60), 0),
        "notes": entry.notes,
        "tags": sorted(tag.name for tag in entry.tags.all()),
    }


# --- The server ---------------------------------------------------------------------------------------------

mcp = MCPServer(name="teeckin", title="Teeckin time tracking", instructions=INSTRUCTIONS)


async def organization_instructions(
    ctx: ServerRequestContext[Any, Any], call_next: CallNext
) -> HandlerResult:
    """Add the caller's organization guidance to the instructions of ``initialize`` / ``server/discover``."""
    result = await call_next(ctx)
    if ctx.method not in ("initialize", "server/discover") or not isinstance(result, dict):
        return result
    request = ctx.request
    token = getattr(request.scope.get("user"), "access_token", None) if request is not None else None
    if isinstance(token, TeeckinAccessToken):
        guidance = await sync_to_async(_guidance, thread_sensitive=True)(token)
        if guidance:
            result["instructions"] = f"{INSTRUCTIONS}\n\nOrganization guidance: {guidance}"
    return result


def _guidance(token: TeeckinAccessToken) -> str:
    close_old_connections()
    try:
        agent = Agent.objects.select_related("organization").filter(pk=token.agent_id).first()
        return agent.organization.guidance if agent is not None and agent.organization else ""
    finally:
        close_old_connections()


mcp.middleware.append(organization_instructions)


@mcp.tool(
    description=(
        "List the organization's topics by category, which ones you used recently, the default topic and "
        "the organization's guidance on which topic to use for what. Call it before starting a timer."
    )
)
async def list_topics(ctx: Context) -> ListTopicsOutput:
    def work(actor: Actor) -> ListTopicsOutput:
        result = topics_for_agent(actor=actor)
        return {
            "categories": [
                {"id": group.category.id, "name": group.category.name, "topics": group.topics}
                for group in result.categories
            ],
            "recentTopicIds": result.recent_topic_ids,
            "defaultTopicId": result.default_topic_id,
            "organizationGuidance": result.guidance,
        }

    return await _run(ctx, work)


@mcp.tool(
    description=(
        "Is a timer running? If so: on which topic, since when, for how many minutes. With session: that "
        "session's timer."
    )
)
async def timer_status(ctx: Context, session: SessionArg = None) -> TimerStatusOutput:
    tracker = _session(ctx, session)

    def work(actor: Actor) -> TimerStatusOutput:
        running = timer.timer_running(user=actor.user, agent=actor.agent, session=tracker)
        if running is None:
            return {
                "running": False,
                "topic": None,
                "startedAt": None,
                "elapsedMinutes": None,
                "entryId": None,
                "notes": None,
            }
        elapsed = max(int((timezone.now() - running.start_time).total_seconds() // 60), 0)
        return {
            "running": True,
            "topic": _topic(running.topic),
            "startedAt": _iso(running.start_time),
            "elapsedMinutes": elapsed,
            "entryId": running.id,
            "notes": running.notes,
        }

    return await _run(ctx, work)


@mcp.tool(
    description=(
        "Which topic a timer start would pick for a topic name (or a repository), with the score, the rule "
        "that decided and the closest candidates; writes nothing. Use it before start_timer or log_time "
        "when you are not sure a name lands on the topic you mean."
    )
)
async def resolve_topic(
    ctx: Context,
    topic: Annotated[
        Annotated[str, Field(min_length=1, max_length=500, pattern=NO_NUL)] | None,
        Field(description="A topic name, alias or id, as you would give start_timer."),
    ] = None,
    repository: Annotated[
        Annotated[str, Field(min_length=1, max_length=1000, pattern=NO_NUL)] | None,
        Field(description="Instead of topic: a repository name or git remote URL (the topic bound to it)."),
    ] = None,
) -> ResolveTopicOutput:
    if (topic is None) == (repository is None):
        raise ToolError("Give exactly one of topic and repository.")

    def work(actor: Actor) -> ResolveTopicOutput:
        explained = topic_resolve_explain(organization=actor.organization, query=topic, repository=repository)
        error = explained.error
        return {
            "query": explained.query,
            "repository": explained.repository,
            "resolved": explained.resolved,
            "topic": None if explained.topic is None else _topic(explained.topic),
            "rule": explained.rule,
            "score": explained.score,
            "candidates": explained.candidates,  # type: ignore[typeddict-item]
            "bindings": explained.bindings,  # type: ignore[typeddict-item]
            "error": None if error is None else {"message": _domain_message(error), "code": error.code},
        }

    return await _run(ctx, work)


@mcp.tool(
    description=(
        "Start a timer on a topic (name or id; your running timer is stopped first). Give notes saying what "
        "you are about to do, and optional tags. Fails with the closest topics if the name matches none or "
        "several (resolve_topic checks a name first). With session: that session's timer only."
    )
)
async def start_timer(
    ctx: Context,
    topic: TopicArg,
    notes: NotesArg = "",
    tags: OptionalTagsArg = None,
    session: SessionArg = None,
    idempotency_key: IdempotencyKeyArg = None,
) -> Annotated[CallToolResult, StartTimerOutput]:
    tracker = _session(ctx, session)
    call = _Write(
        "start_timer",
        {"topic": topic, "notes": notes, "tags": tags, "session": tracker},
        _idempotency_key(ctx, idempotency_key),
    )

    def work(actor: Actor) -> StartTimerOutput:
        chosen = topic_resolve(organization=actor.organization, query=topic)
        # One transaction: a refused tag leaves no timer behind (and the reverse).
        with transaction.atomic():
            result = timer.timer_start(
                user=actor.user,
                organization=actor.organization,
                topic=chosen,
                agent=actor.agent,
                notes=notes,
                source=Source(session=tracker),
            )
            tag_names = []
            if tags:
                added = timer.timer_tags_add(
                    user=actor.user,
                    organization=actor.organization,
                    names=tags,
                    agent=actor.agent,
                    session=tracker,
                )
                tag_names = [tag.name for tag in added.tags]
        stopped = result.stopped
        return {
            "started": True,
            "entryId": result.started.id,
            "topic": _topic(chosen),
            "startedAt": _iso(result.started.start_time),
            "tags": tag_names,
            "stopped": None
            if stopped is None
            else {"entryId": stopped.id, "topic": _topic(stopped.topic), "minutes": stopped.duration_minutes},
        }

    return await _run_write(ctx, call, work, bucket="timer")


@mcp.tool(
    description=(
        "Stop your running timer; notes, when given, replace its notes with a summary of the work. With "
        "session: that session's timer only."
    )
)
async def stop_timer(
    ctx: Context,
    notes: OptionalNotesArg = None,
    session: SessionArg = None,
    idempotency_key: IdempotencyKeyArg = None,
) -> Annotated[CallToolResult, StopTimerOutput]:
    tracker = _session(ctx, session)
    call = _Write("stop_timer", {"notes": notes, "session": tracker}, _idempotency_key(ctx, idempotency_key))

    def work(actor: Actor) -> StopTimerOutput:
        entry = timer.timer_stop(user=actor.user, notes=notes, agent=actor.agent, session=tracker)
        return {
            "stopped": True,
            "entryId": entry.id,
            "topic": _topic(entry.topic),
            "minutes": entry.duration_minutes,
        }

    return await _run_write(ctx, call, work, bucket="timer")


@mcp.tool(
    description=(
        "Record work already done: minutes spent on a topic, with notes. It ends now unless start (ISO 8601 "
        "with a timezone, e.g. 2026-03-30T09:00:00Z) says when it began."
    )
)
async def log_time(
    ctx: Context,
    topic: TopicArg,
    minutes: Annotated[int, Field(ge=1, le=24 * 60, description="Minutes worked, 1 to 1440.")],
    notes: NotesArg = "",
    start: Annotated[
        datetime | None, Field(description="When the work began (ISO 8601, with timezone).")
    ] = None,
    idempotency_key: IdempotencyKeyArg = None,
) -> Annotated[CallToolResult, LogTimeOutput]:
    call = _Write(
        "log_time",
        {"topic": topic, "minutes": minutes, "notes": notes, "start": start},
        _idempotency_key(ctx, idempotency_key),
    )

    def work(actor: Actor) -> LogTimeOutput:
        if start is not None and timezone.is_naive(start):
            raise ToolError("start needs a timezone, e.g. 2026-03-30T09:00:00Z.")
        chosen = topic_resolve(organization=actor.organization, query=topic)
        now = timezone.now()
        begin = start if start is not None else now - timedelta(minutes=minutes)
        entry = entries.clocked_time_create(
            user=actor.user,
            organization=actor.organization,
            topic=chosen,
            start_time=begin,
            end_time=begin + timedelta(minutes=minutes),
            notes=notes,
            agent=actor.agent,
            now=now,
        )
        return {
            "logged": True,
            "entryId": entry.id,
            "topic": _topic(chosen),
            "minutes": entry.duration_minutes,
        }

    return await _run_write(ctx, call, work)


@mcp.tool(
    description=(
        "Replace your running timer's notes (say what you are doing now). With session: that session's timer."
    )
)
async def update_timer_notes(
    ctx: Context, notes: NotesArg, session: SessionArg = None, idempotency_key: IdempotencyKeyArg = None
) -> Annotated[CallToolResult, UpdateNotesOutput]:
    tracker = _session(ctx, session)
    call = _Write(
        "update_timer_notes", {"notes": notes, "session": tracker}, _idempotency_key(ctx, idempotency_key)
    )

    def work(actor: Actor) -> UpdateNotesOutput:
        entry = timer.timer_update(user=actor.user, notes=notes, agent=actor.agent, session=tracker)
        return {"updated": True, "entryId": entry.id, "notes": entry.notes}

    return await _run_write(ctx, call, work)


@mcp.tool(
    description=(
        "Attach tags to your running timer (missing tags are created; existing ones stay). With session: "
        "that session's timer."
    )
)
async def add_timer_tags(
    ctx: Context, tags: TagsArg, session: SessionArg = None, idempotency_key: IdempotencyKeyArg = None
) -> Annotated[CallToolResult, AddTagsOutput]:
    tracker = _session(ctx, session)
    call = _Write(
        "add_timer_tags", {"tags": tags, "session": tracker}, _idempotency_key(ctx, idempotency_key)
    )

    def work(actor: Actor) -> AddTagsOutput:
        result = timer.timer_tags_add(
            user=actor.user, organization=actor.organization, names=tags, agent=actor.agent, session=tracker
        )
        return {
            "added": True,
            "entryId": result.entry.id,
            "tags": sorted(tag.name for tag in result.entry.tags.all()),
        }

    return await _run_write(ctx, call, work)


@mcp.tool(
    description=(
        "Tell Teeckin your timer's task is still going (cheap; call it now and then during long work). A "
        "session timer with no heartbeat for a while is stopped as idle. Answers whether your timer still "
        "runs: if not, start a new one. With session: that session's timer."
    )
)
async def heartbeat(ctx: Context, session: SessionArg = None) -> HeartbeatOutput:
    tracker = _session(ctx, session)

    def work(actor: Actor) -> HeartbeatOutput:
        try:
            entry = timer.timer_heartbeat(user=actor.user, agent=actor.agent, session=tracker)
        except NoActiveTimer:
            # The REST endpoint's 404: here an answer, since "no timer" is what the caller asked about.
            return {"running": False, "entryId": None, "lastHeartbeatAt": None}
        return {"running": True, "entryId": entry.id, "lastHeartbeatAt": _iso(entry.last_heartbeat_at)}

    # The REST endpoint's bucket: generous, and counted alone (not in write or the plan quota).
    return await _run(ctx, work, write=True, bucket="heartbeat")


@mcp.tool(description="The person's most recent time entries, newest first (running one included).")
async def recent_entries(
    ctx: Context, limit: Annotated[int, Field(ge=1, le=50, description="How many, 1 to 50.")] = 10
) -> RecentEntriesOutput:
    def work(actor: Actor) -> RecentEntriesOutput:
        rows = (
            ClockedTime.objects.filter(user=actor.user, organization_id=actor.organization.pk)
            .select_related("topic__category")
            .prefetch_related("tags")
            .order_by("-start_time", "-id")[:limit]
        )
        now = timezone.now()
        return {"entries": [_entry(row, now) for row in rows]}

    return await _run(ctx, work)


@mcp.tool(
    description=(
        "Minutes worked per topic today or this week (UTC days, weeks from Monday), running timer included."
    )
)
async def time_summary(
    ctx: Context, period: Annotated[Literal["today", "week"], Field(description="today or week.")] = "today"
) -> TimeSummaryOutput:
    def work(actor: Actor) -> TimeSummaryOutput:
        now = timezone.now()
        day = now.astimezone(UTC).date()
        first = day if period == "today" else day - timedelta(days=day.weekday())
        since = datetime.combine(first, time.min, tzinfo=UTC)
        rows = (
            ClockedTime.objects.filter(user=actor.user, organization_id=actor.organization.pk)
            .filter(Q(end_time__isnull=True) | Q(end_time__gt=since), start_time__lt=now)
            .select_related("topic__category")
        )
        seconds: dict[str, float] = {}
        topics: dict[str, TopicRef] = {}
        for row in rows:
            # Only the part inside the period counts; a running entry counts up to now.
            spent = ((row.end_time or now) - max(row.start_time, since)).total_seconds()
            seconds[row.topic_id] = seconds.get(row.topic_id, 0.0) + max(spent, 0.0)
            topics[row.topic_id] = _topic(row.topic)
        by_topic: list[TopicMinutes] = [
            {"topic": topics[topic_id], "minutes": round(total / 60)}
            for topic_id, total in sorted(seconds.items(), key=lambda pair: -pair[1])
        ]
        return {
            "period": period,
            "since": _iso(since),
            "totalMinutes": sum(item["minutes"] for item in by_topic),
            "byTopic": by_topic,
        }

    return await _run(ctx, work)
