"""Reads of time entries that more than one endpoint needs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import QuerySet

from apps.clocked_times.models import ClockedTime


def entries_started_between(
    entries: QuerySet[ClockedTime], *, start_date: date | None, end_date: date | None
) -> QuerySet[ClockedTime]:
    """Entries that started on ``start_date`` or later and on ``end_date`` or earlier (UTC days, both
    inclusive)."""
    if start_date is not None:
        entries = entries.filter(start_time__gte=datetime.combine(start_date, time.min, tzinfo=UTC))
    if end_date is not None:
        day_after = datetime.combine(end_date, time.min, tzinfo=UTC) + timedelta(days=1)
        entries = entries.filter(start_time__lt=day_after)
    return entries
