"""Writes of entries by hand (manual entries, edits, deletes); the rules they obey are in rules.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from apps.agents.models import Agent
from apps.clocked_times.events import time_entry_event_record
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.provenance import NO_SOURCE, Source, source_clean
from apps.clocked_times.rules import (
    notes_check,
    overlap_check,
    tags_check,
    time_range_check,
    topic_check_usable,
    user_lock,
)
from apps.core.errors import InvalidTimeRange, NotFound
from apps.core.prebuilt import row_insert
from apps.organizations.models import Organization
from apps.tags.models import Tag
from apps.topics.models import Topic


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
    # A prebuilt INSERT (apps.core.prebuilt.row_insert): agents log finished work all day.
    entry = row_insert(
        ClockedTime(
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
