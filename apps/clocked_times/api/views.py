from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.agents.api.base import ApiView
from apps.clocked_times import services
from apps.clocked_times.api.provenance import SESSION_HEADER_PARAMETER, request_source
from apps.clocked_times.api.serializers import (
    AgentTimeInput,
    AgentTimeOutput,
    ClockedTimeCreateInput,
    ClockedTimeListQuery,
    ClockedTimeOutput,
    ClockedTimePageOutput,
    ClockedTimeUpdateInput,
    ReportSummaryOutput,
    ReportSummaryQuery,
)
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.reports import report_build, report_entries
from apps.clocked_times.selectors import entries_started_between
from apps.core.api.output import represent
from apps.core.api.pagination import page_body, paginate
from apps.core.api.schema import READ_ERRORS, WRITE_ERRORS, responses
from apps.core.errors import Forbidden, NotFound
from apps.core.names import name_key
from apps.organizations.actor import Actor
from apps.tags.services import tags_get_or_create
from apps.topics.matching import topic_resolve
from apps.topics.selectors import topic_of


def _entries(actor: Actor) -> QuerySet[ClockedTime]:
    """The entries an agent may see: its owner's, in its owner's organization, ready for the output."""
    return (
        ClockedTime.objects.filter(user=actor.user, organization_id=actor.organization.pk)
        .select_related("topic__category", "user", "agent", "organization")
        .prefetch_related("tags")
    )


def _entry_of(actor: Actor, entry_id: str) -> ClockedTime:
    entry = _entries(actor).filter(pk=entry_id).first()
    if entry is None:
        raise NotFound("Time entry not found.", code="CLOCKED_TIME_NOT_FOUND")
    return entry


class AgentTimeView(ApiView):
    @extend_schema(
        operation_id="agent_time_log",
        summary="Log finished work of duration_minutes on a topic named by id or (fuzzy) name",
        request=AgentTimeInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({201: AgentTimeOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Simple agent endpoints"],
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = AgentTimeInput(data=request.data)
        data.is_valid(raise_exception=True)
        topic = topic_resolve(organization=actor.organization, query=data.validated_data["topic"])
        duration = timedelta(minutes=data.validated_data["duration_minutes"])
        now = timezone.now()
        start = data.validated_data.get("start_time")
        if start is None:
            start = now - duration
        entry = services.clocked_time_create(
            user=actor.user,
            organization=actor.organization,
            topic=topic,
            start_time=start,
            end_time=start + duration,
            notes=data.validated_data["notes"],
            agent=actor.agent,
            now=now,
            source=request_source(request, data.validated_data.get("source")),
        )
        body = {"logged": True, "id": entry.id, "topic": topic, "duration": entry.duration_minutes}
        return Response(represent(AgentTimeOutput, body), status=status.HTTP_201_CREATED)


class ClockedTimeListView(ApiView):
    query_serializers = {"get": ClockedTimeListQuery}

    @extend_schema(
        operation_id="clocked_times_list",
        summary="The owner's time entries, newest first, filtered and paginated",
        responses=responses({200: ClockedTimePageOutput}, *READ_ERRORS, 400),
        tags=["Clocked times"],
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        filters = self.query_data(request)
        entries = _entries(actor)
        if "topic_id" in filters:
            entries = entries.filter(topic_id=filters["topic_id"])
        if "tag" in filters:
            entries = entries.filter(tags__name_key=name_key(filters["tag"]))
        if "session" in filters:
            entries = entries.filter(session=filters["session"])
        if "repository" in filters:
            entries = entries.filter(source_repository=filters["repository"])
        entries = entries_started_between(
            entries, start_date=filters.get("start_date"), end_date=filters.get("end_date")
        )
        page = paginate(
            entries.order_by("-start_time", "-id"), page=filters["page"], page_size=filters["page_size"]
        )
        return Response(page_body(page, ClockedTimeOutput(page.items, many=True).data))

    @extend_schema(
        operation_id="clocked_times_create",
        summary="Log a finished (manual) entry",
        request=ClockedTimeCreateInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({201: ClockedTimeOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Clocked times"],
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = ClockedTimeCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        source = request_source(request, values.get("source"))
        topic = topic_of(organization_id=actor.organization.pk, topic_id=values["topicId"])
        # One transaction: tags created for an entry that is then refused are rolled back with it.
        with transaction.atomic():
            tags = tags_get_or_create(organization=actor.organization, names=values["tags"])
            entry = services.clocked_time_create(
                user=actor.user,
                organization=actor.organization,
                topic=topic,
                start_time=values["startTime"],
                end_time=values["endTime"],
                notes=values["notes"],
                tags=tags,
                agent=actor.agent,
                source=source,
            )
        return Response(ClockedTimeOutput(_entry_of(actor, entry.id)).data, status=status.HTTP_201_CREATED)


class ClockedTimeDetailView(ApiView):
    @extend_schema(
        operation_id="clocked_times_retrieve",
        responses=responses({200: ClockedTimeOutput}, *READ_ERRORS, 404),
        tags=["Clocked times"],
    )
    def get(self, request: Request, entry_id: str) -> Response:
        return Response(ClockedTimeOutput(_entry_of(self.actor(request), entry_id)).data)

    @extend_schema(
        operation_id="clocked_times_update",
        summary="Change an entry's topic, times, notes or tags",
        request=ClockedTimeUpdateInput,
        responses=responses({200: ClockedTimeOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Clocked times"],
    )
    def patch(self, request: Request, entry_id: str) -> Response:
        actor = self.actor(request)
        entry = _entry_of(actor, entry_id)
        data = ClockedTimeUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        changes = {}
        if "topicId" in values:
            changes["topic"] = topic_of(organization_id=actor.organization.pk, topic_id=values["topicId"])
        if "startTime" in values:
            changes["start_time"] = values["startTime"]
        if "endTime" in values:
            changes["end_time"] = values["endTime"]
        if "notes" in values:
            changes["notes"] = values["notes"]
        with transaction.atomic():  # as in create: refused edits leave no new tags behind
            if "tags" in values:
                changes["tags"] = tags_get_or_create(organization=actor.organization, names=values["tags"])
            services.clocked_time_update(entry=entry, **changes)
        return Response(ClockedTimeOutput(_entry_of(actor, entry_id)).data)

    @extend_schema(
        operation_id="clocked_times_destroy",
        summary="Delete an entry",
        responses=responses({204: None}, *READ_ERRORS, 404),
        tags=["Clocked times"],
    )
    def delete(self, request: Request, entry_id: str) -> Response:
        services.clocked_time_delete(entry=_entry_of(self.actor(request), entry_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReportSummaryView(ApiView):
    query_serializers = {"get": ReportSummaryQuery}  # also the published parameters

    @extend_schema(
        operation_id="reports_summary",
        summary="Time totals over a range of days, grouped by topic, category, agent, tag, member or day",
        description=(
            "The organization's entries for its owners and admins, the owner's own for members. An entry "
            "counts on the day it started (in `timezone`); a running one counts up to now; an entry with two "
            "tags counts under both when grouping by tag. Unknown query parameters are refused (400)."
        ),
        responses=responses({200: ReportSummaryOutput}, *READ_ERRORS, 400),
        tags=["Reports"],
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        values = self.query_data(request)
        if "member" in values and not actor.is_org_admin:
            raise Forbidden("Only an organization's owners and admins can report on other members.")
        entries = report_entries(
            organization_id=actor.organization.pk,
            user_id=None if actor.is_org_admin else actor.user.pk,
            topic_id=values.get("topic_id", ""),
            tag=values.get("tag", ""),
            agent=values.get("agent_id", ""),
            member=values.get("member", ""),
            repository=values.get("repository", ""),
        )
        report = report_build(
            entries,
            group_by=values["group_by"],
            start=values["start_date"],
            end=values["end_date"],
            tz=ZoneInfo(values["timezone"]),
            now=timezone.now(),
        )
        return Response(ReportSummaryOutput(report).data)
