"""ClockEye-compatible endpoints at ClockEye's own paths (/api/projects, /api/time-entries…).

Concepts are mapped, logic is not forked: a project is a topic, a time entry a clocked time, and start and
stop call the timer services, so rate limits (``throttle_scope = "timer"``), webhook events and the
Idempotency-Key rules are those of the Teeckin endpoints. Both credentials work (X-API-Key, Bearer);
DRF views need no CSRF token unless a browser session authenticates the request.
"""

from __future__ import annotations

import math

from django.db import transaction
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.agents.api.base import ApiView
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.selectors import entries_started_between
from apps.clockeye.api.serializers import (
    TASK_TAG_PREFIX,
    ClockEyeTimeEntryListQuery,
    ClockEyeTimeEntryOutput,
    ClockEyeTimeEntryPageOutput,
    ClockEyeTimerStartInput,
    ClockEyeTimerStopInput,
    ProjectListOutput,
)
from apps.core.api.pagination import paginate
from apps.core.api.schema import READ_ERRORS, WRITE_ERRORS, responses
from apps.core.errors import NotFound
from apps.organizations.actor import Actor
from apps.organizations.models import Membership
from apps.tags.services import tags_get_or_create
from apps.timer import services as timer_services
from apps.topics.models import Topic
from apps.topics.selectors import topic_of

TAGS = ["ClockEye compatibility"]


class ClockEyeView(ApiView):
    # Published in the schema at these unversioned paths (apps.core.api.schema.schema_preprocess): they
    # exist for ClockEye clients, which know no /api/v1.
    schema_publish_unversioned = True


def _entries(organization_id: str) -> QuerySet[ClockedTime]:
    return (
        ClockedTime.objects.filter(organization_id=organization_id)
        .select_related("topic", "user")
        .prefetch_related("tags")
    )


def _user_filter(actor: Actor, user_id: str | None) -> dict[str, int]:
    """Whose entries the caller may list: an admin anyone's in the organization (everyone's by default),
    a member only their own. Anyone else, another organization's user included, is 404."""
    if user_id is None:
        return {} if actor.is_org_admin else {"user_id": actor.user.pk}
    wanted = int(user_id) if user_id.isdigit() else None
    visible = wanted is not None and (
        wanted == actor.user.pk
        or (
            actor.is_org_admin
            and Membership.objects.filter(organization_id=actor.organization.pk, user_id=wanted).exists()
        )
    )
    if not visible:
        raise NotFound("User not found.", code="USER_NOT_FOUND", details={"user_id": user_id})
    return {"user_id": wanted}


class ProjectListView(ClockEyeView):
    @extend_schema(
        operation_id="clockeye_projects_list",
        summary="The organization's projects (Teeckin topics), archived ones included",
        responses=responses({200: ProjectListOutput}, *READ_ERRORS),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        topics = Topic.objects.filter(organization_id=actor.organization.pk).select_related("category")
        return Response(ProjectListOutput({"projects": topics.order_by("name", "id")}).data)


class TimeEntryListView(ClockEyeView):
    query_serializers = {"get": ClockEyeTimeEntryListQuery}  # also the published parameters

    @extend_schema(
        operation_id="clockeye_time_entries_list",
        summary="Time entries, newest first, filtered and paginated (admins: the organization's)",
        responses=responses({200: ClockEyeTimeEntryPageOutput}, *READ_ERRORS, 400, 404),
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        filters = self.query_data(request)
        entries = _entries(actor.organization.pk).filter(**_user_filter(actor, filters.get("user_id")))
        if "project_id" in filters:
            topic = topic_of(organization_id=actor.organization.pk, topic_id=filters["project_id"])
            entries = entries.filter(topic=topic)
        entries = entries_started_between(
            entries, start_date=filters.get("start_date"), end_date=filters.get("end_date")
        )
        page = paginate(
            entries.order_by("-start_time", "-id"), page=filters["page"], page_size=filters["per_page"]
        )
        body = {
            "time_entries": page.items,
            "page": page.page,
            "per_page": page.page_size,
            "total": page.count,
            "total_pages": math.ceil(page.count / page.page_size),
        }
        return Response(ClockEyeTimeEntryPageOutput(body).data)


class TimeEntryStartView(ClockEyeView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="clockeye_time_entries_start",
        summary="Start a timer on a project; a running timer is stopped first",
        request=ClockEyeTimerStartInput,
        responses=responses({201: ClockEyeTimeEntryOutput}, *WRITE_ERRORS, 404, 409),
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = ClockEyeTimerStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        topic = topic_of(organization_id=actor.organization.pk, topic_id=values["project_id"])
        # One transaction: a task tag created for a start that is then refused is rolled back with it.
        with transaction.atomic():
            names = [TASK_TAG_PREFIX + values["task_id"]] if "task_id" in values else []
            result = timer_services.timer_start(
                user=actor.user,
                organization=actor.organization,
                topic=topic,
                agent=actor.agent,
                notes=values["description"],
                tags=tags_get_or_create(organization=actor.organization, names=names),
            )
        entry = _entries(actor.organization.pk).get(pk=result.started.pk)
        return Response(ClockEyeTimeEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class TimeEntryStopView(ClockEyeView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="clockeye_time_entries_stop",
        summary="Stop the running timer and return the saved entry (404 NO_ACTIVE_TIMER when none runs)",
        request=ClockEyeTimerStopInput,
        responses=responses({200: ClockEyeTimeEntryOutput}, *WRITE_ERRORS, 404),
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = ClockEyeTimerStopInput(data=request.data)
        data.is_valid(raise_exception=True)
        stopped = timer_services.timer_stop(user=actor.user, notes=data.validated_data.get("description"))
        entry = _entries(actor.organization.pk).get(pk=stopped.pk)
        return Response(ClockEyeTimeEntryOutput(entry).data)
