"""The running timer: start, stop, update. A running timer is a ClockedTime with no end_time.

A running timer belongs to a tracker: (user, agent, session). The agent is None for a person's own timer
(pages, admin, API keys); the session is "" for a caller that names none. Each tracker has at most one
running timer (a partial unique index), so parallel agent sessions of one person run side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.agents.models import Agent
from apps.clocked_times.events import time_entry_event_record
from apps.clocked_times.models import ONE_RUNNING_CONSTRAINT, ClockedTime
from apps.clocked_times.provenance import NO_SOURCE, Source, session_clean, source_clean
from apps.clocked_times.rules import (
    notes_check,
    overlap_check,
    tags_check,
    topic_check_usable,
    user_lock,
)
from apps.core.errors import InvalidTimeRange, NoActiveTimer, TimerConflict
from apps.core.prebuilt import Join, JoinedSelect, row_insert, row_update
from apps.organizations.models import Organization
from apps.tags.models import Tag
from apps.tags.services import tags_get_or_create
from apps.topics.models import Category, Topic
from apps.topics.selectors import topic_resolve_repository

# How far back a start or stop may be dated (``at``): an offline client replays its journal within a day.
AT_MAX_AGE = timedelta(hours=24)
# A tracker's heartbeat is written at most this often; more frequent ones are accepted and not written.
HEARTBEAT_WRITE_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class TimerStartResult:
    started: ClockedTime
    stopped: ClockedTime | None
    # Every timer the start stopped: the one the caller addresses, plus, under the "no overlaps" policy,
    # the person's other running timers. ``stopped`` is the addressed one if any, else the latest.
    stopped_all: tuple[ClockedTime, ...] = field(default=())


@dataclass(frozen=True)
class TimerTagsResult:
    entry: ClockedTime
    tags: list[Tag]


def _tracker_running(*, user: AbstractBaseUser, agent: Agent | None, session: str) -> QuerySet[ClockedTime]:
    """The running timers a caller addresses, the one to act on first.

    With a session: exactly that tracker's. Without one, as before sessions existed: the caller's own
    session-less timer first, else the person-level one: an agent reaches the person's own timer (started
    in the pages, say), and the person (no agent) their agents' latest session-less timer. Two agents'
    session-less timers never reach each other, and session timers are only reached with their session.
    """
    running = (
        ClockedTime.objects.select_related("topic__category").running().filter(user=user, session=session)
    )
    if session:
        return running.filter(agent=agent)
    if agent is not None:
        running = running.filter(Q(agent=agent) | Q(agent__isnull=True))
        own = Q(agent=agent)
    else:
        own = Q(agent__isnull=True)
    return running.order_by(Case(When(own, then=Value(0)), default=Value(1)), "-start_time")


# The running timers of one tracker shape (see ``_tracker_running``); the shapes add the agent condition.
_RUNNING_WHERE = "e.user_id = %s AND e.end_time IS NULL AND e.session = %s"
# The entry's topic and its category, loaded with it.
_TOPIC_JOINS = (Join("t", Topic, "t.id = e.topic_id"), Join("c", Category, "c.id = t.category_id"))


def _running_select(where: str, order_by: str = "") -> JoinedSelect:
    return JoinedSelect(
        alias="e",
        model=ClockedTime,
        joins=_TOPIC_JOINS,
        where=f"{_RUNNING_WHERE} AND {where}",
        order_by=order_by,
    )


def _running_stop(where: str, order_by: str = "") -> JoinedSelect:
    """The first running timer of a ``_running_select`` shape, stopped and read back with its topic and
    category in one statement (PostgreSQL): ``end_time`` = max(%s, start + 1 µs) (the check constraint
    wants end > start), ``updated_at`` = %s, ``notes`` = %s unless that is NULL."""
    table = ClockedTime._meta.db_table
    order = f" ORDER BY {order_by}" if order_by else ""
    target = f"SELECT e.id FROM {table} e WHERE {_RUNNING_WHERE} AND {where}{order} LIMIT 1"  # noqa: S608
    stop = "end_time = GREATEST(%s, s.start_time + interval '1 microsecond'), updated_at = %s"
    stop += ", notes = COALESCE(%s, s.notes)"
    return JoinedSelect(
        alias="e",
        model=ClockedTime,
        joins=_TOPIC_JOINS,
        where="TRUE",
        # Table and SQL written here; values only ever go in as parameters.
        with_=f"stopped AS (UPDATE {table} s SET {stop} WHERE s.id = ({target}) RETURNING s.*)",  # noqa: S608
        source="stopped",
    )


# The shapes of ``_tracker_running``, prebuilt: timer status is the most frequent agent call, and
# compiling the ORM query cost more than running it. The same rows in the same order (a test holds it).
# Keyed by (an agent calls, a session is named); the parameters are user, session, then the agent.
_SHAPES = {
    (True, True): ("e.agent_id = %s", ""),
    (False, True): ("e.agent_id IS NULL", ""),
    (True, False): (
        "(e.agent_id = %s OR e.agent_id IS NULL)",
        "CASE WHEN e.agent_id IS NULL THEN 1 ELSE 0 END, e.start_time DESC",
    ),
    (False, False): ("TRUE", "CASE WHEN e.agent_id IS NULL THEN 0 ELSE 1 END, e.start_time DESC"),
}
_RUNNING = {key: _running_select(*shape) for key, shape in _SHAPES.items()}
_RUNNING_STOP = {key: _running_stop(*shape) for key, shape in _SHAPES.items()}


def _tracker_params(
    user: AbstractBaseUser, agent: Agent | None, session: str
) -> tuple[tuple[bool, bool], list[object]]:
    params = [user.pk, session] if agent is None else [user.pk, session, agent.pk]
    return (agent is not None, bool(session)), params


def _entry_of(found: tuple[dict[str, Any], dict[str, Any]] | None) -> ClockedTime | None:
    if found is None:
        return None
    rows, _ = found
    entry, topic = rows["e"], rows["t"]
    topic.category = rows["c"]
    entry.topic = topic
    return entry


def timer_running(
    *, user: AbstractBaseUser, agent: Agent | None = None, session: str = ""
) -> ClockedTime | None:
    """The running timer of the caller's tracker (see ``_tracker_running``), or None, with its topic
    and category loaded."""
    key, params = _tracker_params(user, agent, session)
    return _entry_of(_RUNNING[key].fetch(params))


def _tracker_stop(
    *, user: AbstractBaseUser, agent: Agent | None, session: str, at: datetime, notes: str | None = None
) -> ClockedTime | None:
    """Stop the timer ``timer_running`` would return at ``at`` (``notes``, when given, replace its notes)
    and return it, or None when none runs. The caller holds the user's lock."""
    if connection.vendor != "postgresql":
        running = timer_running(user=user, agent=agent, session=session)
        return None if running is None else _stop(running, at=at, notes=notes)
    # One round trip where a read and then an UPDATE took two: every start and stop runs this.
    key, params = _tracker_params(user, agent, session)
    return _entry_of(_RUNNING_STOP[key].fetch([at, timezone.now(), notes, *params]))


def timers_running(*, user: AbstractBaseUser) -> list[ClockedTime]:
    """All the person's running timers, every agent and session, newest first."""
    return list(
        ClockedTime.objects.running()
        .filter(user=user)
        .select_related("topic__category", "user", "agent", "organization")
        .prefetch_related("tags")
        .order_by("-start_time", "-id")
    )


def _stop(entry: ClockedTime, *, at: datetime, notes: str | None = None) -> ClockedTime:
    # The check constraint wants end > start; a stop in the same microsecond as the start still ends after it.
    entry.end_time = max(at, entry.start_time + timedelta(microseconds=1))
    fields = ["end_time", "updated_at"]
    if notes is not None:
        entry.notes = notes
        fields.append("notes")
    return row_update(entry, fields)


def _at_check(at: datetime, *, now: datetime) -> datetime:
    """A replayed start or stop's time: within the last day, not ahead beyond the clock-skew tolerance."""
    if timezone.is_naive(at):
        raise InvalidTimeRange(
            "at must include a UTC offset (e.g. 2026-03-30T09:00:00Z).", details={"at": ["No UTC offset."]}
        )
    if at > now + settings.MANUAL_ENTRY_FUTURE_TOLERANCE:
        raise InvalidTimeRange("at cannot be in the future.", details={"at": ["Is in the future."]})
    if at < now - AT_MAX_AGE:
        hours = int(AT_MAX_AGE.total_seconds() // 3600)
        raise InvalidTimeRange(
            f"at can be at most {hours} hours ago.", details={"at": [f"More than {hours} hours ago."]}
        )
    # A clock slightly ahead of ours means "now": no entry starts or ends in the future.
    return min(at, now)


def _not_before_start(entry: ClockedTime, at: datetime) -> None:
    if at < entry.start_time:
        raise InvalidTimeRange(
            "at is before the running timer's start.",
            details={"at": [f"Before the running timer's start ({entry.start_time.isoformat()})."]},
        )


def timer_topic_from_source(
    *, organization: Organization, agent: Agent | None, repository: str
) -> Topic | None:
    """The topic of a start that names a repository but no topic: the topic bound to the repository (see
    ``topic_resolve_repository``), else the agent's default topic (if it has one, in this organization)."""
    if repository:
        bound = topic_resolve_repository(organization=organization, repository=repository)
        if bound is not None:
            return bound
    if agent is not None and agent.default_topic_id is not None:
        topic = agent.default_topic
        if topic is not None and topic.organization_id == organization.pk:
            return topic
    return None


@transaction.atomic
def timer_start(
    *,
    user: AbstractBaseUser,
    organization: Organization,
    topic: Topic,
    agent: Agent | None = None,
    notes: str = "",
    now: datetime | None = None,
    source: Source = NO_SOURCE,
    at: datetime | None = None,
    tags: Iterable[Tag] = (),
) -> TimerStartResult:
    """Start a timer on ``topic`` for the tracker (user, agent, ``source.session``), atomically.

    The tracker's running timer, if any, is stopped first; under the organization's "no overlaps" policy
    every running timer of the user is. ``at`` dates the start in the past (an offline client's replay).
    ``tags`` (the organization's) are on the new entry from the start, so its ``time_entry.started``
    event carries them.

    The user's row lock serialises racing starts; the partial unique index on running entries is the
    backstop: should a write slip past the lock, the loser gets a clean 409 instead of a second timer.
    """
    topic_check_usable(topic=topic, organization=organization)
    notes_check(notes)
    source = source_clean(source)
    tags = list(tags)
    tags_check(tags=tags, organization=organization)
    now = now or timezone.now()
    if at is not None:
        now = _at_check(at, now=now)
    user_lock(user=user)
    # Stopped with their topics, so callers can say what they stopped without further queries.
    addressed = _tracker_stop(user=user, agent=agent, session=source.session, at=now)
    stopped_all = [addressed] if addressed is not None else []
    if not organization.allow_overlaps:
        # "No overlaps" bills human hours: one start ends every running timer of the person.
        others = ClockedTime.objects.select_related("topic__category").running().filter(user=user)
        stopped_all += [_stop(entry, at=now) for entry in others.order_by("-start_time")]
    if at is not None:
        # A replayed start before a running timer's start is refused; raising undoes the stops above.
        for entry in stopped_all:
            _not_before_start(entry, now)
    for entry in stopped_all:
        time_entry_event_record(name="time_entry.stopped", entry=entry)
    if stopped_all:
        # No gap and no overlap: the new timer starts where the latest stopped one ended.
        now = max(entry.end_time for entry in stopped_all)
    stopped = stopped_all[0] if stopped_all else None
    overlap_check(organization=organization, user=user, start=now, end=None)
    try:
        # No savepoint (two statements saved per start): on a conflict the whole transaction is abandoned
        # anyway, as TimerConflict leaves the outer atomic block. A prebuilt INSERT (row_insert): this is
        # the hottest write, and the ORM's per-call compilation cost more than the statement.
        with transaction.atomic(savepoint=False):
            started = row_insert(
                ClockedTime(
                    organization=organization,
                    user=user,
                    topic=topic,
                    start_time=now,
                    type=ClockedTime.Type.TIMER,
                    notes=notes,
                    agent=agent,
                    **source.model_fields(),
                )
            )
    except IntegrityError as exc:
        # PostgreSQL and SQLite both name the partial unique index in the message.
        if ONE_RUNNING_CONSTRAINT in str(exc):
            raise TimerConflict() from exc
        raise
    if tags:
        started.tags.set(tags)
    time_entry_event_record(name="time_entry.started", entry=started)
    return TimerStartResult(started=started, stopped=stopped, stopped_all=tuple(stopped_all))


def timer_stop(
    *,
    user: AbstractBaseUser,
    notes: str | None = None,
    now: datetime | None = None,
    agent: Agent | None = None,
    session: str = "",
    at: datetime | None = None,
) -> ClockedTime:
    """Stop the caller's tracker's running timer; ``notes``, when given, replace the entry's notes.

    ``at`` ends it at that past time instead of now (never before its start).
    """
    stopped = _timer_stop(user=user, notes=notes, now=now, agent=agent, session=session, at=at)
    if stopped is None:
        # Raised once the transaction has committed (it wrote nothing): a stop with no timer running is
        # an everyday call from hooks, and a rollback would make psycopg discard every statement
        # prepared on the connection (apps.core.prebuilt), costing the next requests a round trip each.
        raise NoActiveTimer()
    return stopped


@transaction.atomic
def _timer_stop(
    *,
    user: AbstractBaseUser,
    notes: str | None,
    now: datetime | None,
    agent: Agent | None,
    session: str,
    at: datetime | None,
) -> ClockedTime | None:
    if notes is not None:
        notes_check(notes)
    session = session_clean(session)
    now = now or timezone.now()
    if at is not None:
        now = _at_check(at, now=now)
    user_lock(user=user)
    stopped = _tracker_stop(user=user, agent=agent, session=session, at=now, notes=notes)
    if stopped is None:
        return None
    if at is not None:
        # Raising undoes the stop.
        _not_before_start(stopped, now)
    time_entry_event_record(name="time_entry.stopped", entry=stopped)
    return stopped


@transaction.atomic
def timer_update(
    *, user: AbstractBaseUser, notes: str, agent: Agent | None = None, session: str = ""
) -> ClockedTime:
    """Replace the notes of the caller's tracker's running timer."""
    notes_check(notes)
    session = session_clean(session)
    user_lock(user=user)
    running = timer_running(user=user, agent=agent, session=session)
    if running is None:
        raise NoActiveTimer()
    running.notes = notes
    running.save(update_fields=["notes", "updated_at"])
    time_entry_event_record(name="time_entry.updated", entry=running)
    return running


@transaction.atomic
def timer_tags_add(
    *,
    user: AbstractBaseUser,
    organization: Organization,
    names: list[str],
    agent: Agent | None = None,
    session: str = "",
) -> TimerTagsResult:
    """Attach tags named ``names`` to the caller's running timer, creating missing ones (case-insensitively).

    Tags already on the entry stay; none is attached twice.
    """
    session = session_clean(session)
    user_lock(user=user)
    running = timer_running(user=user, agent=agent, session=session)
    if running is None:
        raise NoActiveTimer()
    tags = tags_get_or_create(organization=organization, names=names)
    running.tags.add(*tags)
    time_entry_event_record(name="time_entry.updated", entry=running)
    return TimerTagsResult(entry=running, tags=tags)


def timer_heartbeat(
    *, user: AbstractBaseUser, agent: Agent | None = None, session: str = "", now: datetime | None = None
) -> ClockedTime:
    """Record that the caller's tracker is still working (idle stop reads it).

    Cheap by design, since agents send one after every tool call: one indexed read, and an UPDATE only
    when the stored heartbeat is a minute old or more. No row lock: a heartbeat that races a stop
    updates nothing (the UPDATE requires the entry to be running).
    """
    session = session_clean(session)
    now = now or timezone.now()
    running = (
        _tracker_running(user=user, agent=agent, session=session)
        .select_related(None)
        .only("id", "start_time", "last_heartbeat_at")
        .first()
    )
    if running is None:
        raise NoActiveTimer()
    if running.last_heartbeat_at is None or running.last_heartbeat_at <= now - HEARTBEAT_WRITE_INTERVAL:
        ClockedTime.objects.running().filter(pk=running.pk).update(last_heartbeat_at=now)
        running.last_heartbeat_at = now
    return running


def timer_autostop_overdue(*, now: datetime | None = None) -> list[ClockedTime]:
    """Stop every timer that has run longer than its organization's ``max_timer_hours``, at that limit.

    Agents crash and leave timers running; the record should say they worked up to the limit, not all
    weekend. Each entry is stopped in its own transaction (with the user's lock), so one failure does not
    hold back the others. A limit of 0 turns auto-stop off for the organization.
    """
    now = now or timezone.now()
    # The smallest possible limit is one hour, so younger timers need not even be looked at.
    candidates = (
        ClockedTime.objects.running()
        .filter(organization__max_timer_hours__gt=0, start_time__lte=now - timedelta(hours=1))
        .values_list("id", "start_time", "organization__max_timer_hours")
    )
    due = [entry_id for entry_id, start, hours in candidates if start + timedelta(hours=hours) <= now]
    return _stop_each(due, stop=_timer_autostop, now=now)


def _stop_each(
    entry_ids: list[str], *, stop: Callable[..., ClockedTime | None], now: datetime
) -> list[ClockedTime]:
    """Call ``stop`` for each entry (each its own transaction); the entries it stopped."""
    stopped = [stop(entry_id=entry_id, now=now) for entry_id in entry_ids]
    return [entry for entry in stopped if entry is not None]


def _entry_locked(entry_id: str) -> ClockedTime | None:
    """The entry, re-read under its user's lock (a job's view of it may be stale), or None if deleted."""
    entry = ClockedTime.objects.select_related("organization", "user").filter(pk=entry_id).first()
    if entry is None:
        return None
    user_lock(user=entry.user)
    entry.refresh_from_db(fields=["start_time", "end_time", "notes", "last_heartbeat_at"])
    return entry


@transaction.atomic
def _timer_autostop(*, entry_id: str, now: datetime) -> ClockedTime | None:
    entry = _entry_locked(entry_id)
    if entry is None:
        return None
    limit = timedelta(hours=entry.organization.max_timer_hours)
    if entry.end_time is not None or entry.start_time + limit > now:
        return None  # Stopped or changed by its user meanwhile.
    reason = (
        f"[Stopped automatically: the timer ran longer than the organization's "
        f"{entry.organization.max_timer_hours}-hour limit.]"
    )
    _stop(entry, at=entry.start_time + limit, notes=_notes_with_reason(entry.notes, reason))
    time_entry_event_record(name="time_entry.stopped", entry=entry)
    return entry


def _notes_with_reason(notes: str, reason: str) -> str:
    notes = f"{notes}\n{reason}" if notes else reason
    # Keep the reason even when the notes are at the length limit: cut the old notes, not the reason.
    if len(notes) > settings.NOTES_MAX_LENGTH:
        notes = notes[len(notes) - settings.NOTES_MAX_LENGTH :]
    return notes


def _idle_limit(*, session: str, organization: Organization) -> timedelta | None:
    minutes = organization.idle_stop_minutes if session else organization.idle_stop_sessionless_minutes
    return timedelta(minutes=minutes) if minutes else None


def timer_idle_stop(*, now: datetime | None = None) -> list[ClockedTime]:
    """Stop every running timer silent for longer than its organization's idle limit, at its last heartbeat.

    A session whose agent crashed or closed sends no more heartbeats; ending its timer at the last one
    records the time really worked (the start counts as the first sign of life). Session timers and
    session-less ones have separate limits (Organization.idle_stop_minutes, idle_stop_sessionless_minutes).
    Each entry is stopped in its own transaction under its user's lock, as in ``timer_autostop_overdue``.
    """
    now = now or timezone.now()
    enabled = Q(session__gt="", organization__idle_stop_minutes__gt=0) | Q(
        session="", organization__idle_stop_sessionless_minutes__gt=0
    )
    # The smallest possible limit is one minute, so anything heard from within it need not be looked at.
    candidates = (
        ClockedTime.objects.filter(enabled)
        .running()
        .annotate(last_seen=Coalesce("last_heartbeat_at", "start_time"))
        .filter(last_seen__lte=now - timedelta(minutes=1))
        .values_list(
            "id",
            "last_seen",
            "session",
            "organization__idle_stop_minutes",
            "organization__idle_stop_sessionless_minutes",
        )
    )
    due = [
        entry_id
        for entry_id, last_seen, session, session_minutes, sessionless_minutes in candidates
        if last_seen + timedelta(minutes=session_minutes if session else sessionless_minutes) <= now
    ]
    return _stop_each(due, stop=_timer_idle_stop, now=now)


@transaction.atomic
def _timer_idle_stop(*, entry_id: str, now: datetime) -> ClockedTime | None:
    entry = _entry_locked(entry_id)
    if entry is None:
        return None
    limit = _idle_limit(session=entry.session, organization=entry.organization)
    last_seen = entry.last_heartbeat_at or entry.start_time
    if entry.end_time is not None or limit is None or last_seen + limit > now:
        return None  # Stopped, or heard from, meanwhile.
    minutes = int(limit.total_seconds() // 60)
    if entry.last_heartbeat_at is None:
        what = "no heartbeat since it started"
    else:
        what = f"no heartbeat for more than {minutes} minutes; it ends at the last one"
    tracker = f"session {entry.session}" if entry.session else "timer"
    reason = f"[Stopped automatically: {what} ({tracker}, {minutes}-minute idle limit).]"
    _stop(entry, at=last_seen, notes=_notes_with_reason(entry.notes, reason))
    time_entry_event_record(name="time_entry.stopped", entry=entry)
    return entry
