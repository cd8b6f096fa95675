"""The running timer: start, stop, update. A running timer is a ClockedTime with no end_time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.agents.models import Agent
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.services import (
    notes_check,
    overlap_check,
    tags_check,
    topic_check_usable,
    user_lock,
)
from apps.core.errors import NoActiveTimer, TimerConflict
from apps.organizations.models import Organization
from apps.tags.models import Tag
from apps.tags.services import tags_get_or_create
from apps.topics.models import Topic
from apps.webhooks.events import time_entry_event_record

ONE_RUNNING_CONSTRAINT = "clocked_time_one_running_per_user"


@dataclass(frozen=True)
class TimerStartResult:
    started: ClockedTime
    stopped: ClockedTime | None


@dataclass(frozen=True)
class TimerTagsResult:
    entry: ClockedTime
    tags: list[Tag]


def timer_running(*, user: AbstractBaseUser) -> ClockedTime | None:
    return (
        ClockedTime.objects.select_related("topic__category").filter(user=user, end_time__isnull=True).first()
    )


def _stop(entry: ClockedTime, *, at: datetime, notes: str | None = None) -> ClockedTime:
    # The check constraint wants end > start; a stop in the same microsecond as the start still ends after it.
    entry.end_time = max(at, entry.start_time + timedelta(microseconds=1))
    fields = ["end_time", "updated_at"]
    if notes is not None:
        entry.notes = notes
        fields.append("notes")
    entry.save(update_fields=fields)
    return entry


@transaction.atomic
def timer_start(
    *,
    user: AbstractBaseUser,
    organization: Organization,
    topic: Topic,
    agent: Agent | None = None,
    notes: str = "",
    now: datetime | None = None,
    tags: Iterable[Tag] = (),
) -> TimerStartResult:
    """Stop the user's running timer, if any, and start a new one on ``topic``, atomically.

    ``tags`` (the organization's) are on the new entry from the start, so its ``time_entry.started``
    event carries them.

    The user's row lock serialises racing starts; the partial unique index on running entries is the
    backstop: should a write slip past the lock, the loser gets a clean 409 instead of a second timer.
    """
    topic_check_usable(topic=topic, organization=organization)
    notes_check(notes)
    tags = list(tags)
    tags_check(tags=tags, organization=organization)
    user_lock(user=user)
    now = now or timezone.now()
    stopped = None
    # With its topic, so callers can say what they stopped without further queries.
    running = (
        ClockedTime.objects.select_related("topic__category").filter(user=user, end_time__isnull=True).first()
    )
    if running is not None:
        stopped = _stop(running, at=now)
        now = stopped.end_time
        time_entry_event_record(name="time_entry.stopped", entry=stopped)
    overlap_check(organization=organization, user=user, start=now, end=None)
    try:
        with transaction.atomic():
            started = ClockedTime.objects.create(
                organization=organization,
                user=user,
                topic=topic,
                start_time=now,
                type=ClockedTime.Type.TIMER,
                notes=notes,
                agent=agent,
            )
    except IntegrityError as exc:
        # PostgreSQL names the constraint; SQLite names the column of the partial unique index.
        if ONE_RUNNING_CONSTRAINT in str(exc) or "clockedtime.user_id" in str(exc):
            raise TimerConflict() from exc
        raise
    if tags:
        started.tags.set(tags)
    time_entry_event_record(name="time_entry.started", entry=started)
    return TimerStartResult(started=started, stopped=stopped)


@transaction.atomic
def timer_stop(
    *, user: AbstractBaseUser, notes: str | None = None, now: datetime | None = None
) -> ClockedTime:
    """Stop the user's running timer; ``notes``, when given, replace the entry's notes."""
    if notes is not None:
        notes_check(notes)
    user_lock(user=user)
    running = ClockedTime.objects.filter(user=user, end_time__isnull=True).first()
    if running is None:
        raise NoActiveTimer()
    stopped = _stop(running, at=now or timezone.now(), notes=notes)
    time_entry_event_record(name="time_entry.stopped", entry=stopped)
    return stopped


@transaction.atomic
def timer_update(*, user: AbstractBaseUser, notes: str) -> ClockedTime:
    """Replace the notes of the user's running timer."""
    notes_check(notes)
    user_lock(user=user)
    running = ClockedTime.objects.filter(user=user, end_time__isnull=True).first()
    if running is None:
        raise NoActiveTimer()
    running.notes = notes
    running.save(update_fields=["notes", "updated_at"])
    time_entry_event_record(name="time_entry.updated", entry=running)
    return running


@transaction.atomic
def timer_tags_add(
    *, user: AbstractBaseUser, organization: Organization, names: list[str]
) -> TimerTagsResult:
    """Attach tags named ``names`` to the running timer, creating missing ones (case-insensitively).

    Tags already on the entry stay; none is attached twice.
    """
    user_lock(user=user)
    running = ClockedTime.objects.filter(user=user, end_time__isnull=True).first()
    if running is None:
        raise NoActiveTimer()
    tags = tags_get_or_create(organization=organization, names=names)
    running.tags.add(*tags)
    time_entry_event_record(name="time_entry.updated", entry=running)
    return TimerTagsResult(entry=running, tags=tags)


def timer_autostop_overdue(*, now: datetime | None = None) -> list[ClockedTime]:
    """Stop every timer that has run longer than its organization's ``max_timer_hours``, at that limit.

    Agents crash and leave timers running; the record should say they worked up to the limit, not all
    weekend. Each entry is stopped in its own transaction (with the user's lock), so one failure does not
    hold back the others. A limit of 0 turns auto-stop off for the organization.
    """
    now = now or timezone.now()
    # The smallest possible limit is one hour, so younger timers need not even be looked at.
    candidates = ClockedTime.objects.filter(
        end_time__isnull=True, organization__max_timer_hours__gt=0, start_time__lte=now - timedelta(hours=1)
    ).values_list("id", "start_time", "organization__max_timer_hours")
    stopped = []
    for entry_id, start_time, hours in list(candidates):
        if start_time + timedelta(hours=hours) <= now:
            entry = _timer_autostop(entry_id=entry_id, now=now)
            if entry is not None:
                stopped.append(entry)
    return stopped


@transaction.atomic
def _timer_autostop(*, entry_id: str, now: datetime) -> ClockedTime | None:
    entry = ClockedTime.objects.select_related("organization", "user").filter(pk=entry_id).first()
    if entry is None:
        return None
    user_lock(user=entry.user)
    entry.refresh_from_db(fields=["start_time", "end_time", "notes"])
    limit = timedelta(hours=entry.organization.max_timer_hours)
    if entry.end_time is not None or entry.start_time + limit > now:
        return None  # Stopped or changed by its user meanwhile.
    reason = (
        f"[Stopped automatically: the timer ran longer than the organization's "
        f"{entry.organization.max_timer_hours}-hour limit.]"
    )
    notes = f"{entry.notes}\n{reason}" if entry.notes else reason
    # Keep the reason even when the notes are at the length limit: cut the old notes, not the reason.
    if len(notes) > settings.NOTES_MAX_LENGTH:
        notes = notes[len(notes) - settings.NOTES_MAX_LENGTH :]
    _stop(entry, at=entry.start_time + limit, notes=notes)
    time_entry_event_record(name="time_entry.stopped", entry=entry)
    return entry
