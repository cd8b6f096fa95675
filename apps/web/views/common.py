"""Lookups every page shares, each scoped to the person's organization (and, for members, to themselves)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from apps.agents.models import Agent
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.reports import report_entries
from apps.core.timefmt import whole_minutes
from apps.organizations.models import Membership
from apps.topics.models import Topic
from apps.web.access import is_admin


def membership_of(request: HttpRequest) -> Membership:
    return request.membership  # type: ignore[attr-defined]


def topic_choices(membership: Membership, *, include_archived: bool = False) -> list[tuple[str, str]]:
    topics = Topic.objects.filter(organization_id=membership.organization_id)
    if not include_archived:
        topics = topics.filter(archived=False)
    return list(topics.order_by("name").values_list("id", "name"))


def agent_choices(membership: Membership) -> list[tuple[str, str]]:
    agents = Agent.objects.filter(organization_id=membership.organization_id)
    if not is_admin(membership):
        agents = agents.filter(user_id=membership.user_id)
    return list(agents.order_by("name").values_list("client_id", "name"))


def member_choices(membership: Membership) -> list[tuple[str, str]] | None:
    """Admins may look at anyone's time; members only at their own (None: no member filter)."""
    if not is_admin(membership):
        return None
    members = Membership.objects.filter(organization_id=membership.organization_id).order_by("user__username")
    return list(members.values_list("user__username", "user__username"))


def visible_entries(membership: Membership, filters: dict[str, Any]) -> QuerySet[ClockedTime]:
    """The entries a person may see, narrowed by the filter form: the organization's for admins, their own
    for members."""
    return report_entries(
        organization_id=membership.organization_id,
        user_id=None if is_admin(membership) else membership.user_id,
        topic_id=filters.get("topic") or "",
        tag=filters.get("tag") or "",
        agent=filters.get("agent") or "",
        member=filters.get("member") or "",
        repository=filters.get("repository") or "",
    )


def agent_of(membership: Membership, client_id: str) -> Agent:
    """An agent the person may manage: their own, or any of the organization's for admins; else 404."""
    agents = Agent.objects.filter(organization_id=membership.organization_id, client_id=client_id)
    if not is_admin(membership):
        agents = agents.filter(user_id=membership.user_id)
    agent = agents.select_related("user", "default_topic").first()
    if agent is None:
        raise Http404("No such agent.")
    return agent


def duration_text(seconds: int) -> str:
    """``1h 05m`` style, as time trackers show totals."""
    minutes = whole_minutes(seconds)
    return f"{minutes // 60}h {minutes % 60:02d}m"
