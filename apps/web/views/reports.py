from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta, tzinfo
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.reports import Report, days_filled, entries_in_days, report_build
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


def _report(request: HttpRequest) -> tuple[ReportForm, Report, QuerySet[ClockedTime]]:
    membership = membership_of(request)
    form = ReportForm(
        request.GET or None,
        topics=topic_choices(membership, include_archived=True),
        agents=agent_choices(membership),
        members=member_choices(membership),
    )
    today = timezone.localdate()
    start, end = form.dates(today - timedelta(days=today.weekday()), today)
    data = form.cleaned_data if form.is_valid() else {}
    group_by = data.get("group_by") or "topic"
    entries = visible_entries(membership, data)
    report = report_build(
        entries,
        group_by=group_by,
        start=start,
        end=end,
        tz=timezone.get_current_timezone(),
        now=timezone.now(),
    )
    return form, report, entries


@page()
def reports(request: HttpRequest) -> HttpResponse:
    """Totals over any range, grouped as asked: the organization's for admins, one's own for members."""
    form, report, _ = _report(request)
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
    context = {"form": form, "report": report, "chart": json.dumps(chart), "query": request.GET.urlencode()}
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
            entry.id,
        ]


@page()
def reports_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The report as CSV: one row per group (default) or per entry, streamed."""
    form, report, entries = _report(request)
    per_entry = form.is_valid() and form.cleaned_data.get("rows") == "entry"
    if per_entry:
        tz = timezone.get_current_timezone()
        in_range = entries_in_days(entries, start=report.start, end=report.end, tz=tz)
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
            "id",
        ]
        lines = csv_lines(header, _entry_rows(in_range, tz))
    else:
        header = [report.group_by, "hours", "minutes", "entries"]
        lines = csv_lines(
            header,
            (
                [row.label, round(row.seconds / 3600, 2), round(row.seconds / 60), row.entries]
                for row in report.rows
            ),
        )
    name = f"teeckin-{report.group_by if not per_entry else 'entries'}-{report.start}-{report.end}.csv"
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
