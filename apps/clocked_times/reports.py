"""Time totals grouped by topic, category, agent, tag, member or day: one aggregate query in SQL.

The reports page, its CSV export, the dashboard and ``GET /api/v1/reports/summary`` all read through
here, so they always agree. Entries are never loaded into Python to be summed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from apps.clocked_times.models import ClockedTime
from apps.core.names import name_key

GROUPINGS = ("topic", "category", "agent", "tag", "member", "day")
# A report's longest range: ten years of days is still a small answer, and it bounds the day grouping.
MAX_RANGE_DAYS = 3660

# What each grouping groups by: (key column, label column); "day" is computed in the person's timezone.
_COLUMNS = {
    "topic": ("topic_id", "topic__name"),
    "category": ("topic__category_id", "topic__category__name"),
    "agent": ("agent__client_id", "agent__name"),
    "tag": ("tags__id", "tags__name"),
    "member": ("user__username", "user__username"),
}
_NONE_LABELS = {"agent": "No agent (by hand)", "tag": "No tag"}


@dataclass(frozen=True)
class ReportRow:
    key: str
    label: str
    seconds: int
    entries: int


@dataclass(frozen=True)
class Report:
    group_by: str
    start: date
    end: date
    timezone: str
    rows: list[ReportRow]

    @property
    def total_seconds(self) -> int:
        # Tags: an entry with two tags counts under both, so the total is of the groups, as shown.
        return sum(row.seconds for row in self.rows)


def report_entries(
    *,
    organization_id: str,
    user_id: int | None = None,
    topic_id: str = "",
    tag: str = "",
    agent: str = "",
    member: str = "",
    repository: str = "",
) -> QuerySet[ClockedTime]:
    """The organization's entries (only ``user_id``'s when given: a member sees their own), narrowed by
    topic id, tag name (compared as names are: any case), agent client id ("none": entries logged without
    an agent), member username and the repository the work was in. Empty values do not filter."""
    entries = ClockedTime.objects.filter(organization_id=organization_id)
    if user_id is not None:
        entries = entries.filter(user_id=user_id)
    if topic_id:
        entries = entries.filter(topic_id=topic_id)
    if tag:
        entries = entries.filter(tags__name_key=name_key(tag))
    if agent == "none":
        entries = entries.filter(agent__isnull=True)
    elif agent:
        entries = entries.filter(agent__client_id=agent)
    if member:
        entries = entries.filter(user__username=member)
    if repository:
        entries = entries.filter(source_repository=repository)
    return entries


def day_range(start: date, end: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start 00:00, the day after end 00:00) in ``tz``: the instants a range of whole local days covers."""
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def entries_in_days(entries: QuerySet[ClockedTime], *, start: date, end: date, tz: tzinfo) -> QuerySet:
    """Entries that started within the local days ``start``..``end`` (inclusive)."""
    lower, upper = day_range(start, end, tz)
    return entries.filter(start_time__gte=lower, start_time__lt=upper)


def _duration(now: datetime) -> ExpressionWrapper:
    # A running entry counts up to now.
    return ExpressionWrapper(Coalesce("end_time", Value(now)) - F("start_time"), output_field=DurationField())


def _seconds(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    return round(value / 1_000_000)  # SQLite sums durations as microseconds


def report_rows(
    entries: QuerySet[ClockedTime], *, group_by: str, tz: tzinfo, now: datetime
) -> list[ReportRow]:
    """Totals of ``entries`` per group, largest first (by day: in date order, days without time left out)."""
    if group_by not in GROUPINGS:
        raise ValueError(f"Unknown grouping {group_by!r}.")
    entries = entries.order_by()
    if group_by == "day":
        grouped = entries.annotate(day=TruncDate("start_time", tzinfo=tz)).values("day")
        rows = grouped.annotate(total=Sum(_duration(now)), count=Count("id")).order_by("day")
        return [
            ReportRow(
                key=row["day"].isoformat(),
                label=row["day"].isoformat(),
                seconds=_seconds(row["total"]),
                entries=row["count"],
            )
            for row in rows
        ]
    key, label = _COLUMNS[group_by]
    rows = (
        entries.values(key, label)
        .annotate(total=Sum(_duration(now)), count=Count("id"))
        .order_by("-total", label)
    )
    none_label = _NONE_LABELS.get(group_by, "")
    return [
        ReportRow(
            key=str(row[key] or ""),
            label=row[label] or none_label,
            seconds=_seconds(row["total"]),
            entries=row["count"],
        )
        for row in rows
    ]


def report_build(
    entries: QuerySet[ClockedTime], *, group_by: str, start: date, end: date, tz: tzinfo, now: datetime
) -> Report:
    """The report over the local days ``start``..``end`` of ``entries`` (already scoped to who may see
    them): one query."""
    rows = report_rows(
        entries_in_days(entries, start=start, end=end, tz=tz), group_by=group_by, tz=tz, now=now
    )
    return Report(group_by=group_by, start=start, end=end, timezone=str(tz), rows=rows)


def days_filled(rows: list[ReportRow], *, start: date, end: date) -> list[ReportRow]:
    """Day rows with the days that have no time added as zeros, for a continuous chart."""
    by_day = {row.key: row for row in rows}
    filled = []
    day = start
    while day <= end:
        key = day.isoformat()
        filled.append(by_day.get(key) or ReportRow(key=key, label=key, seconds=0, entries=0))
        day += timedelta(days=1)
    return filled


def topic_day_totals(entries: QuerySet[ClockedTime], *, tz: tzinfo, now: datetime) -> list[dict[str, Any]]:
    """Seconds per (topic, local day), for a week grid: one query. Rows: topic_id, topic__name, day, total."""
    rows = (
        entries.order_by()
        .annotate(day=TruncDate("start_time", tzinfo=tz))
        .values("topic_id", "topic__name", "day")
        .annotate(total=Sum(_duration(now)))
        .order_by("topic__name", "day")
    )
    return [{**row, "total": _seconds(row["total"])} for row in rows]
