"""Writes of finished entries, plus the locking and overlap rules that timer services share."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.agents.models import Agent
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.provenance import NO_SOURCE, Source, source_clean
from apps.core.errors import Conflict, InvalidTimeRange, NotFound, OverlappingEntry, ValidationFailed
from apps.core.joined import statement_run
from apps.core.timefmt import iso_utc
from apps.organizations.models import Organization
from apps.tags.models import Tag
from apps.topics.models import Topic
from apps.webhooks.events import time_entry_event_record


def user_lock(*, user: AbstractBaseUser) -> None:
    """Take the user's row lock for the rest of the transaction.

    Every write that must see a consistent set of the user's entries (the running timer, overlaps)
    takes this lock first, so two racing requests for one user run one after the other.
    """
    # Prebuilt and prepared (apps.core.joined.statement_run): every timer write runs it, and compiling
    # the ORM's select_for_update cost more than the lock itself.
    if statement_run(_user_lock_sql(), [user.pk]) is None:
        raise get_user_model().DoesNotExist("The user to lock does not exist.")


@functools.cache
def _user_lock_sql() -> str:
    model = get_user_model()
    quote = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    pk = quote(model._meta.pk.column)
    return f"SELECT {pk} FROM {quote(model._meta.db_table)} WHERE {pk} = %s{lock}"  # noqa: S608 (identifiers)


def topic_check_usable(*, topic: Topic, organization: Organization) -> None:
    # Another organization's topic is reported as missing: its existence is not ours to reveal.
    if topic.organization_id != organization.pk:
        raise NotFound("Topic not found.", code="TOPIC_NOT_FOUND")
    if topic.archived:
        raise Conflict(f"Topic '{topic.name}' is archived.", code="TOPIC_ARCHIVED")


def tags_check(*, tags: Iterable[Tag], organization: Organization) -> None:
    # Another organization's tag is reported as missing, like a topic.
    if any(tag.organization_id != organization.pk for tag in tags):
        raise NotFound("Tag not found.", code="TAG_NOT_FOUND")


def notes_check(notes: str) -> None:
    if len(notes) > settings.NOTES_MAX_LENGTH:
        raise ValidationFailed(
            f"Notes can be at most {settings.NOTES_MAX_LENGTH} characters.",
            details={"notes": [f"At most {settings.NOTES_MAX_LENGTH} characters."]},
        )


def overlap_check(
    *,
    organization: Organization,
    user: AbstractBaseUser,
    start: datetime,
    end: datetime | None,
    exclude_id: str | None = None,
) -> None:
    """Refuse [start, end) if it overlaps another entry of the user and the organization forbids overlaps.

    Ranges are half-open, so 10:00-10:40 and 10:40-11:00 touch without overlapping. A running entry
    (end None) extends to infinity. Call it while holding ``user_lock``.
    """
    if organization.allow_overlaps:
        return
    clashes = ClockedTime.objects.filter(user=user).filter(Q(end_time__isnull=True) | Q(end_time__gt=start))
    if end is not None:
        clashes = clashes.filter(start_time__lt=end)
    if exclude_id:
        clashes = clashes.exclude(pk=exclude_id)
    found = list(clashes.order_by("start_time").values("id", "start_time", "end_time")[:5])
    if found:
        raise OverlappingEntry(
            "This entry overlaps another entry of yours and your organization does not allow overlaps.",
            details={
                "overlaps": [
                    {"id": row["id"], "startTime": _iso(row["start_time"]), "endTime": _iso(row["end_time"])}
                    for row in found
                ]
            },
        )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)


def time_range_check(*, start: datetime, end: datetime, now: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise InvalidTimeRange("Times must include a timezone (use UTC, e.g. 2026-03-30T09:00:00Z).")
    if end <= start:
        raise InvalidTimeRange(
            "endTime must be after startTime.", details={"endTime": ["Must be after startTime."]}
        )
    if end > now + settings.MANUAL_ENTRY_FUTURE_TOLERANCE:
        raise InvalidTimeRange(
            "An entry cannot end in the future.", details={"endTime": ["Is in the future."]}
        )
    if end - start > settings.MANUAL_ENTRY_MAX_DURATION:
        hours = int(settings.MANUAL_ENTRY_MAX_DURATION.total_seconds() // 3600)
        raise InvalidTimeRange(
            f"An entry can be at most {hours} hours long.", details={"endTime": [f"At most {hours} hours."]}
        )


@transaction.atomic
def clocked_time_create(
    *,
    user: AbstractBaseUser,
    organization: Organization,
    topic: Topic,
    start_time: datetime,
    end_time: datetime,
    notes: str = "",
    tags: Iterable[Tag] = (),
    agent: Agent | None = None,
    now: datetime | None = None,
    source: Source = NO_SOURCE,
) -> ClockedTime:
    """Record a finished (manual) entry after checking its range, topic and the overlap policy."""
    now = now or timezone.now()
    topic_check_usable(topic=topic, organization=organization)
    time_range_check(start=start_time, end=end_time, now=now)
    notes_check(notes)
    source = source_clean(source)
    tags = list(tags)
    tags_check(tags=tags, organization=organization)
    user_lock(user=user)
    overlap_check(organization=organization, user=user, start=start_time, end=end_time)
    entry = ClockedTime.objects.create(
        organization=organization,
        user=user,
        topic=topic,
        start_time=start_time,
        end_time=end_time,
        type=ClockedTime.Type.MANUAL,
        notes=notes,
        agent=agent,
        **source.model_fields(),
    )
    if tags:
        entry.tags.set(tags)
    time_entry_event_record(name="time_entry.created", entry=entry)
    return entry


_UNSET: Any = object()


@transaction.atomic
def clocked_time_update(
    *,
    entry: ClockedTime,
    topic: Topic | None = None,
    start_time: datetime | None = None,
    end_time: datetime | None = _UNSET,
    notes: str | None = None,
    tags: Iterable[Tag] | None = None,
    now: datetime | None = None,
) -> ClockedTime:
    """Change an entry; only the arguments given change. ``tags`` replaces the entry's tags.

    ``end_time`` may be set on a running entry (which stops it) but never cleared: a finished entry
    is not restarted by an edit. The range, topic and overlap rules are those of a new entry.

    ``entry`` only names the row: the caller read it before any lock, and a stop (or another edit) may
    have landed since. The entry is read again under the user's lock and only the changed fields are
    written, so a concurrent stop is never undone. Returns the entry as saved.
    """
    now = now or timezone.now()
    user_lock(user=entry.user)
    entry = ClockedTime.objects.select_related("organization", "user").filter(pk=entry.pk).first()
    if entry is None:  # deleted meanwhile
        raise NotFound("Time entry not found.", code="CLOCKED_TIME_NOT_FOUND")
    organization = entry.organization
    was_running = entry.end_time is None
    changed: list[str] = []
    if topic is not None:
        topic_check_usable(topic=topic, organization=organization)
        entry.topic = topic
        changed.append("topic")
    if notes is not None:
        notes_check(notes)
        entry.notes = notes
        changed.append("notes")
    if start_time is not None:
        entry.start_time = start_time
        changed.append("start_time")
    if end_time is not _UNSET:
        if end_time is None and entry.end_time is not None:
            raise InvalidTimeRange(
                "A finished entry cannot be reopened; start a timer instead.",
                details={"endTime": ["May not be null for a finished entry."]},
            )
        entry.end_time = end_time
        changed.append("end_time")
    if entry.end_time is None:
        if timezone.is_naive(entry.start_time) or entry.start_time > now:
            raise InvalidTimeRange(
                "A running entry must have started in the past.", details={"startTime": ["Is in the future."]}
            )
    else:
        time_range_check(start=entry.start_time, end=entry.end_time, now=now)
    tags = list(tags) if tags is not None else None
    if tags:
        tags_check(tags=tags, organization=organization)
    overlap_check(
        organization=organization,
        user=entry.user,
        start=entry.start_time,
        end=entry.end_time,
        exclude_id=entry.pk,
    )
    entry.save(update_fields=[*changed, "updated_at"])
    if tags is not None:
        entry.tags.set(tags)
    time_entry_event_record(name="time_entry.updated", entry=entry)
    if was_running and entry.end_time is not None:
        # Setting the end of a running entry stops its timer; integrations listening for stops hear it.
        time_entry_event_record(name="time_entry.stopped", entry=entry)
    return entry


@transaction.atomic
def clocked_time_delete(*, entry: ClockedTime) -> None:
    """Delete an entry (a running one too: that discards the timer)."""
    time_entry_event_record(name="time_entry.deleted", entry=entry)  # before: the payload needs the row
    entry.delete()
