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

from collections.abc import Callable
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
from pydantic import Field

from apps.agents.models import Agent
from apps.clocked_times import services as entries
from apps.clocked_times.models import ClockedTime
from apps.core.actor import Actor
from apps.core.errors import DomainError
from apps.mcp_server.gate import TeeckinAccessToken
from apps.mcp_server.outputs import (
    AddTagsOutput,
    Entry,
    ListTopicsOutput,
    LogTimeOutput,
    RecentEntriesOutput,
    StartTimerOutput,
    StopTimerOutput,
    TimerStatusOutput,
    TimeSummaryOutput,
    TopicMinutes,
    TopicRef,
    UpdateNotesOutput,
)
from apps.ratelimits.buckets import charge_api_request
from apps.timer import services as timer
from apps.topics.matching import topic_resolve
from apps.topics.selectors import topics_for_agent

T = TypeVar("T")

INSTRUCTIONS = (
    "Teeckin tracks the time you spend working for the signed-in person. Start a timer when you begin a "
    "task (start_timer), keep its notes current (update_timer_notes), stop it when the task is done "
    "(stop_timer); use log_time for work already finished. Call list_topics first to pick the right topic; "
    "names are matched fuzzily, and an unknown or ambiguous name returns the closest topics to retry with."
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
    candidates = error.details.get("candidates") if isinstance(error.details, dict) else None
    if error.code in ("TOPIC_NOT_FOUND", "TOPIC_AMBIGUOUS"):
        if candidates:
            listed = "; ".join(f"{c['name']} (category {c['category']}, id {c['id']})" for c in candidates)
            return (
                f"{error.message} Candidates, closest first: {listed}. Retry with one of these names or ids."
            )
        return f"{error.message} Call list_topics to see the organization's topics."
    return f"{error.message} ({error.code})"


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


@mcp.tool(description="Is a timer running? If so: on which topic, since when, for how many minutes.")
async def timer_status(ctx: Context) -> TimerStatusOutput:
    def work(actor: Actor) -> TimerStatusOutput:
        running = timer.timer_running(user=actor.user, agent=actor.agent)
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
        "Start a timer on a topic (name or id; a running timer is stopped first). Give notes saying what "
        "you are about to do, and optional tags. Fails with the closest topics if the name matches none or "
        "several."
    )
)
async def start_timer(
    ctx: Context, topic: TopicArg, notes: NotesArg = "", tags: OptionalTagsArg = None
) -> StartTimerOutput:
    def work(actor: Actor) -> StartTimerOutput:
        chosen = topic_resolve(organization=actor.organization, query=topic)
        # One transaction: a refused tag leaves no timer behind (and the reverse).
        with transaction.atomic():
            result = timer.timer_start(
                user=actor.user, organization=actor.organization, topic=chosen, agent=actor.agent, notes=notes
            )
            tag_names = []
            if tags:
                added = timer.timer_tags_add(
                    user=actor.user, organization=actor.organization, names=tags, agent=actor.agent
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

    return await _run(ctx, work, write=True, bucket="timer")


@mcp.tool(
    description="Stop the running timer; notes, when given, replace its notes with a summary of the work."
)
async def stop_timer(ctx: Context, notes: OptionalNotesArg = None) -> StopTimerOutput:
    def work(actor: Actor) -> StopTimerOutput:
        entry = timer.timer_stop(user=actor.user, notes=notes, agent=actor.agent)
        return {
            "stopped": True,
            "entryId": entry.id,
            "topic": _topic(entry.topic),
            "minutes": entry.duration_minutes,
        }

    return await _run(ctx, work, write=True, bucket="timer")


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
) -> LogTimeOutput:
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

    return await _run(ctx, work, write=True)


@mcp.tool(description="Replace the running timer's notes (say what you are doing now).")
async def update_timer_notes(ctx: Context, notes: NotesArg) -> UpdateNotesOutput:
    def work(actor: Actor) -> UpdateNotesOutput:
        entry = timer.timer_update(user=actor.user, notes=notes, agent=actor.agent)
        return {"updated": True, "entryId": entry.id, "notes": entry.notes}

    return await _run(ctx, work, write=True)


@mcp.tool(description="Attach tags to the running timer (missing tags are created; existing ones stay).")
async def add_timer_tags(ctx: Context, tags: TagsArg) -> AddTagsOutput:
    def work(actor: Actor) -> AddTagsOutput:
        result = timer.timer_tags_add(
            user=actor.user, organization=actor.organization, names=tags, agent=actor.agent
        )
        return {
            "added": True,
            "entryId": result.entry.id,
            "tags": sorted(tag.name for tag in result.entry.tags.all()),
        }

    return await _run(ctx, work, write=True)


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
