from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.reports import Report, days_filled, entries_in_days, report_build
from apps.core.timefmt import whole_minutes
from apps.web.access import page
from apps.web.csvexport import csv_lines
from apps.web.forms import ReportForm
from apps.web.views.common import (
    agent_choices,
    member_choices,
    membership_of,
    topic_choices,
    visible_entries,
)

EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class _Asked:
    form: ReportForm
    group_by: str
    start: date
    end: date
    entries: QuerySet[ClockedTime]  # who and what, not yet limited to the days

    def report(self) -> Report:
        return report_build(
            self.entries,
            group_by=self.group_by,
            start=self.start,
            end=self.end,
            tz=timezone.get_current_timezone(),
            now=timezone.now(),
        )


def _asked(request: HttpRequest) -> _Asked:
    """The report the query string asks for; a bad value falls back to its default (the form says so)."""
    membership = membership_of(request)
    today = timezone.localdate()
    default_start, default_end = today - timedelta(days=today.weekday()), today
    form = ReportForm(
        request.GET or None,
        initial={"start": default_start, "end": default_end},
        topics=topic_choices(membership, include_archived=True),
        agents=agent_choices(membership),
        members=member_choices(membership),
    )
    start, end = form.dates(default_start, default_end)
    data = form.cleaned_data if form.is_valid() else {}
    return _Asked(
        form=form,
        group_by=data.get("group_by") or "topic",
        start=start,
        end=end,
        entries=visible_entries(membership, data),
    )


@page()
def reports(request: HttpRequest) -> HttpResponse:
    """Totals over any range, grouped as asked: the organization's for admins, one's own for members."""
    asked = _asked(request)
    report = asked.report()
    rows = (
        days_filled(report.rows, start=report.start, end=report.end)
        if report.group_by == "day"
        else report.rows
    )
    chart = {
        "labels": [row.label for row in rows],
        "hours": [round(row.seconds / 3600, 2) for row in rows],
        "label": "Hours",
    }
    context = {
        "form": asked.form,
        "report": report,
        "chart": json.dumps(chart),
        "query": request.GET.urlencode(),
    }
    return render(request, "web/reports.html", context)


def _entry_rows(entries: QuerySet[ClockedTime], tz: tzinfo) -> Iterator[list[Any]]:
    # The zone is passed in: the response streams after the view returns, when the person's timezone is no
    # longer active.
    # Chunks with their tags prefetched: memory stays flat however many entries the range holds.
    chunked = (
        entries.select_related("topic__category", "agent", "user")
        .prefetch_related("tags")
        .order_by("start_time")
    )
    for entry in chunked.iterator(chunk_size=EXPORT_CHUNK):
        start = entry.start_time.astimezone(tz)
        end = entry.end_time.astimezone(tz) if entry.end_time else None
        yield [
            start.date().isoformat(),
            start.isoformat(timespec="seconds"),
            end.isoformat(timespec="seconds") if end else "",
            entry.duration_minutes if end else "",
            entry.user.username,
            entry.topic.name,
            entry.topic.category.name,
            entry.agent.name if entry.agent else "",
            ", ".join(sorted(tag.name for tag in entry.tags.all())),
            entry.notes,
            entry.source_client,
            entry.session,
            entry.source_repository,
            entry.source_branch,
            entry.id,
        ]


@page()
def reports_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The report as CSV: one row per group (default) or per entry, streamed."""
    asked = _asked(request)
    per_entry = request.GET.get("rows") == "entry"
    if per_entry:
        tz = timezone.get_current_timezone()
        in_range = entries_in_days(asked.entries, start=asked.start, end=asked.end, tz=tz)
        header = [
            "date",
            "start",
            "end",
            "minutes",
            "member",
            "topic",
            "category",
            "agent",
            "tags",
            "notes",
            "client",
            "session",
            "repository",
            "branch",
            "id",
        ]
        lines = csv_lines(header, _entry_rows(in_range, tz))
    else:
        report = asked.report()
        header = [report.group_by, "hours", "minutes", "entries"]
        lines = csv_lines(
            header,
            (
                [row.label, round(row.seconds / 3600, 2), whole_minutes(row.seconds), row.entries]
                for row in report.rows
            ),
        )
    name = f"teeckin-{'entries' if per_entry else asked.group_by}-{asked.start}-{asked.end}.csv"
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
