"""The rules every write of a user's entries obeys, whichever service writes (a timer start or stop, a
manual entry, an edit): take the user's lock, check the topic, tags, notes and range, refuse overlaps.

They live apart from the services so that apps.timer and apps.clocked_times share them without one
reaching into the other's services.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.core.errors import Conflict, InvalidTimeRange, NotFound, OverlappingEntry, ValidationFailed
from apps.core.prebuilt import statement_run
from apps.core.timefmt import iso_utc
from apps.organizations.models import Organization
from apps.tags.models import Tag
from apps.topics.models import Topic


def user_lock(*, user: AbstractBaseUser) -> None:
    """Take the user's row lock for the rest of the transaction.

    Every write that must see a consistent set of the user's entries (the running timer, overlaps)
    takes this lock first, so two racing requests for one user run one after the other.
    """
    # Prebuilt and prepared (apps.core.prebuilt.statement_run): every timer write runs it, and compiling
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
