from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.reports import entries_in_days, topic_day_totals
from apps.clocked_times.services import clocked_time_create, clocked_time_delete, clocked_time_update
from apps.core.errors import DomainError
from apps.tags.services import tags_get_or_create
from apps.topics.selectors import topic_of
from apps.web.access import page
from apps.web.forms import EntryFilterForm, EntryForm, refusal_to_form, tag_names, week_start
from apps.web.views.common import (
    agent_choices,
    member_choices,
    membership_of,
    topic_choices,
    visible_entries,
)

# The list shows at most this many entries of the range (newest first) and says when there are more.
LIST_LIMIT = 300


def _filter_form(request: HttpRequest, default_start: date, default_end: date) -> EntryFilterForm:
    membership = membership_of(request)
    return EntryFilterForm(
        request.GET or None,
        initial={"start": default_start, "end": default_end},
        auto_id="filter_%s",
        topics=topic_choices(membership, include_archived=True),
        agents=agent_choices(membership),
        members=member_choices(membership),
        nobody_picked="Me",  # a timesheet is one person's
    )


def _entry_form(
    request: HttpRequest, data: Any = None, entry: ClockedTime | None = None, **kwargs: Any
) -> EntryForm:
    # Each form on the page gets its own element ids, so every label names its own field.
    auto_id = f"{entry.id}_%s" if entry else "new_%s"
    return EntryForm(data, topics=topic_choices(membership_of(request)), auto_id=auto_id, **kwargs)


def _timesheet(request: HttpRequest, entry_form: EntryForm, status: int = 200) -> HttpResponse:
    membership = membership_of(request)
    today = timezone.localdate()
    default_start, default_end = week_start(today), week_start(today) + timedelta(days=6)
    filters = _filter_form(request, default_start, default_end)
    start, end = filters.dates(default_start, default_end)
    data = filters.cleaned_data if filters.is_valid() else {}
    entries = visible_entries(membership, data)
    if not data.get("member"):
        # A timesheet is one person's: mine unless an admin picked a member.
        entries = entries.filter(user_id=request.user.pk)
    tz = timezone.get_current_timezone()
    entries = entries_in_days(entries, start=start, end=end, tz=tz)
    listed = list(
        entries.select_related("topic", "agent", "user")
        .prefetch_related("tags")
        .order_by("-start_time")[: LIST_LIMIT + 1]
    )
    days: dict[date, list[ClockedTime]] = {}
    for entry in listed[:LIST_LIMIT]:
        days.setdefault(timezone.localdate(entry.start_time), []).append(entry)
    view = "week" if request.GET.get("view") == "week" else "list"
    context = {
        "filters": filters,
        "start": start,
        "end": end,
        "view": view,
        "days": days,
        "more": len(listed) > LIST_LIMIT,
        "entry_form": entry_form,
        "week": _week_grid(entries, start, end) if view == "week" else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "web/timesheet.html", context, status=status)


def _week_grid(entries: Any, start: date, end: date) -> dict[str, Any]:
    """Topic rows by day columns (up to the first 7 days of the range) with row and column totals."""
    days = [start + timedelta(days=n) for n in range(min((end - start).days + 1, 7))]
    rows: dict[str, dict[str, Any]] = {}
    column_totals = dict.fromkeys(days, 0)
    for cell in topic_day_totals(entries, tz=timezone.get_current_timezone(), now=timezone.now()):
        if cell["day"] not in column_totals:
            continue
        row = rows.setdefault(
            cell["topic_id"], {"name": cell["topic__name"], "cells": dict.fromkeys(days, 0)}
        )
        row["cells"][cell["day"]] += cell["total"]
        column_totals[cell["day"]] += cell["total"]
    return {
        "days": days,
        "rows": [
            {
                "name": row["name"],
                "cells": [row["cells"][d] for d in days],
                "total": sum(row["cells"].values()),
            }
            for row in rows.values()
        ],
        "totals": [column_totals[d] for d in days],
        "total": sum(column_totals.values()),
    }


@page()
def timesheet(request: HttpRequest) -> HttpResponse:
    now = timezone.localtime().replace(second=0, microsecond=0)
    initial = {"start_time": now - timedelta(hours=1), "end_time": now}
    return _timesheet(request, _entry_form(request, initial=initial))


def _save(request: HttpRequest, form: EntryForm, entry: ClockedTime | None) -> ClockedTime | None:
    """Create or update through the services; a refusal lands on the form, next to its field."""
    if not form.is_valid():
        return None
    membership = membership_of(request)
    data = form.cleaned_data
    try:
        # One transaction, as in the API: tags created for a refused entry are rolled back with it.
        with transaction.atomic():
            topic = topic_of(organization_id=membership.organization_id, topic_id=data["topic"])
            tags = tags_get_or_create(organization=membership.organization, names=tag_names(data["tags"]))
            values = {
                "topic": topic,
                "start_time": data["start_time"],
                "end_time": data["end_time"],
                "notes": data["notes"],
                "tags": tags,
            }
            if entry is None:
                return clocked_time_create(user=request.user, organization=membership.organization, **values)
            return clocked_time_update(entry=entry, **values)
    except DomainError as exc:
        refusal_to_form(form, exc)
        return None


@require_POST
@page()
def entry_create(request: HttpRequest) -> HttpResponse:
    form = _entry_form(request, request.POST)
    if _save(request, form, None) is None:
        return _timesheet(request, form, status=400)
    return redirect(reverse("web:timesheet") + ("?" + request.GET.urlencode() if request.GET else ""))


def _own_entry(request: HttpRequest, entry_id: str) -> ClockedTime:
    """One of my entries in my organization; anyone else's id is 404, as in the API."""
    entry = (
        ClockedTime.objects.filter(
            pk=entry_id, user_id=request.user.pk, organization_id=membership_of(request).organization_id
        )
        .select_related("topic", "agent", "user", "organization")
        .prefetch_related("tags")
        .first()
    )
    if entry is None:
        raise Http404("No such time entry.")
    return entry


def _row(request: HttpRequest, entry: ClockedTime) -> HttpResponse:
    return render(request, "web/_entry.html", {"entry": entry})


@page()
def entry_row(request: HttpRequest, entry_id: str) -> HttpResponse:
    return _row(request, _own_entry(request, entry_id))


@page()
def entry_edit(request: HttpRequest, entry_id: str) -> HttpResponse:
    """The inline editor of one entry (htmx swaps it in place of the row)."""
    entry = _own_entry(request, entry_id)
    if request.method == "POST":
        form = _entry_form(request, request.POST, entry)
        if _save(request, form, entry) is not None:
            return _row(request, _own_entry(request, entry_id))
    else:
        initial = {
            "topic": entry.topic_id,
            "start_time": entry.start_time,
            "end_time": entry.end_time,
            "notes": entry.notes,
            "tags": ", ".join(sorted(tag.name for tag in entry.tags.all())),
        }
        form = _entry_form(request, entry=entry, initial=initial)
    return render(request, "web/_entry_edit.html", {"entry": entry, "form": form})


@require_POST
@page()
def entry_delete(request: HttpRequest, entry_id: str) -> HttpResponse:
    clocked_time_delete(entry=_own_entry(request, entry_id))
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse("")
    return redirect("web:timesheet")
