from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.reports import days_filled, entries_in_days, report_rows
from apps.core.errors import DomainError
from apps.timer.services import timer_stop
from apps.web.access import page
from apps.web.views.common import membership_of

CHART_DAYS = 14
RECENT_ENTRIES = 10


def _running(request: HttpRequest) -> list[ClockedTime]:
    # Several at once: one per tracker (each agent session runs its own timer).
    return list(
        ClockedTime.objects.running()
        .filter(user_id=request.user.pk)
        .select_related("topic", "agent")
        .order_by("-start_time")
    )


@page()
def dashboard(request: HttpRequest) -> HttpResponse:
    """My running timer, my totals today and this week, the last 14 days, my latest entries."""
    membership = membership_of(request)
    now = timezone.now()
    tz = timezone.get_current_timezone()
    today = timezone.localdate(now)
    week_start = today - timedelta(days=today.weekday())
    mine = ClockedTime.objects.filter(organization_id=membership.organization_id, user_id=request.user.pk)
    today_entries = entries_in_days(mine, start=today, end=today, tz=tz)
    week_entries = entries_in_days(mine, start=week_start, end=today, tz=tz)
    chart_start = today - timedelta(days=CHART_DAYS - 1)
    days = days_filled(
        report_rows(
            entries_in_days(mine, start=chart_start, end=today, tz=tz), group_by="day", tz=tz, now=now
        ),
        start=chart_start,
        end=today,
    )
    context = {
        "running": _running(request),
        "today": {
            "topic": report_rows(today_entries, group_by="topic", tz=tz, now=now),
            "agent": report_rows(today_entries, group_by="agent", tz=tz, now=now),
        },
        "week": {
            "topic": report_rows(week_entries, group_by="topic", tz=tz, now=now),
            "agent": report_rows(week_entries, group_by="agent", tz=tz, now=now),
        },
        "chart": json.dumps(
            {
                "labels": [row.key[5:] for row in days],
                "hours": [round(row.seconds / 3600, 2) for row in days],
                "label": "Hours",
            }
        ),
        "recent": mine.select_related("topic", "agent").order_by("-start_time")[:RECENT_ENTRIES],
        "now": now,
    }
    return render(request, "web/dashboard.html", context)


@require_POST
@page()
def timer_stop_view(request: HttpRequest, entry_id: str) -> HttpResponse:
    """Stop one of my running timers: the one of its tracker (agent and session), as that agent's own
    ``POST /api/timer/stop`` would."""
    entry = (
        ClockedTime.objects.filter(
            pk=entry_id, user_id=request.user.pk, organization_id=membership_of(request).organization_id
        )
        .select_related("agent")
        .first()
    )
    if entry is None:
        raise Http404("No such time entry.")
    try:
        if entry.end_time is None:
            timer_stop(user=request.user, agent=entry.agent, session=entry.session)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Timer stopped.")
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/_running.html", {"running": _running(request), "now": timezone.now()})
    return redirect("web:dashboard")
