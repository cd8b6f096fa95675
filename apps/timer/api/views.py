"""Timer endpoints: the simple ones for shell hooks (/api/agent/timer…) and the full ones (/api/timer/…).

Start and stop carry ``throttle_scope = "timer"``: the spec gives timer operations their own, tighter limit.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.clocked_times.models import ClockedTime
from apps.core.api.base import ApiView
from apps.core.api.schema import READ_ERRORS, WRITE_ERRORS, responses
from apps.timer import services
from apps.timer.api.serializers import (
    AgentTimerStartInput,
    AgentTimerStartOutput,
    AgentTimerStatusOutput,
    AgentTimerStopOutput,
    AgentTimerTagsInput,
    AgentTimerTagsOutput,
    AgentTimerUpdateInput,
    AgentTimerUpdateOutput,
    TimerActiveOutput,
    TimerStartInput,
    TimerStartOutput,
    TimerStopInput,
    TimerStopOutput,
)
from apps.topics.matching import topic_resolve
from apps.topics.selectors import topic_of

SIMPLE = ["Simple agent endpoints"]
FULL = ["Timer"]


def _stopped_summary(entry: ClockedTime | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"clockedTimeId": entry.id, "topic": entry.topic, "duration": entry.duration_minutes}


class AgentTimerView(ApiView):
    @extend_schema(
        operation_id="agent_timer_status",
        summary="Is a timer running, on what, for how long",
        responses=responses({200: AgentTimerStatusOutput}, *READ_ERRORS),
        tags=SIMPLE,
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        running = services.timer_running(user=actor.user)
        if running is None:
            body = {
                "running": False,
                "topic": None,
                "elapsedMinutes": None,
                "startedAt": None,
                "clockedTimeId": None,
            }
        else:
            elapsed = max(int((timezone.now() - running.start_time).total_seconds() // 60), 0)
            body = {
                "running": True,
                "topic": running.topic,
                "elapsedMinutes": elapsed,
                "startedAt": running.start_time,
                "clockedTimeId": running.id,
            }
        return Response(AgentTimerStatusOutput(body).data)

    @extend_schema(
        operation_id="agent_timer_update",
        summary="Replace the running timer's notes",
        request=AgentTimerUpdateInput,
        responses=responses({200: AgentTimerUpdateOutput}, *WRITE_ERRORS, 404),
        tags=SIMPLE,
    )
    def patch(self, request: Request) -> Response:
        actor = self.actor(request)
        data = AgentTimerUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.timer_update(user=actor.user, notes=data.validated_data["notes"])
        return Response(AgentTimerUpdateOutput({"updated": True, "clockedTimeId": entry.id}).data)


class AgentTimerStartView(ApiView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="agent_timer_start",
        summary="Start a timer on a topic named by id or (fuzzy) name; stops a running one first",
        request=AgentTimerStartInput,
        responses=responses({201: AgentTimerStartOutput}, *WRITE_ERRORS, 404, 409),
        tags=SIMPLE,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = AgentTimerStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        topic = topic_resolve(organization=actor.organization, query=data.validated_data["topic"])
        result = services.timer_start(
            user=actor.user,
            organization=actor.organization,
            topic=topic,
            agent=actor.agent,
            notes=data.validated_data["notes"],
        )
        body = {
            "started": True,
            "topic": topic,
            "clockedTimeId": result.started.id,
            "startedAt": result.started.start_time,
            "stopped": _stopped_summary(result.stopped),
        }
        return Response(AgentTimerStartOutput(body).data, status=status.HTTP_201_CREATED)


class AgentTimerStopView(ApiView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="agent_timer_stop",
        summary="Stop the running timer (404 NO_ACTIVE_TIMER when none runs)",
        request=TimerStopInput,
        responses=responses({200: AgentTimerStopOutput}, *WRITE_ERRORS, 404),
        tags=SIMPLE,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = TimerStopInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.timer_stop(user=actor.user, notes=data.validated_data.get("notes"))
        body = {"stopped": True, "duration": entry.duration_minutes, "clockedTimeId": entry.id}
        return Response(AgentTimerStopOutput(body).data)


class AgentTimerTagsView(ApiView):
    @extend_schema(
        operation_id="agent_timer_tags_add",
        summary="Attach tags by name to the running timer, creating missing ones",
        request=AgentTimerTagsInput,
        responses=responses({200: AgentTimerTagsOutput}, *WRITE_ERRORS, 404),
        tags=SIMPLE,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = AgentTimerTagsInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.timer_tags_add(
            user=actor.user, organization=actor.organization, names=data.validated_data["tags"]
        )
        body = {"added": True, "clockedTimeId": result.entry.id, "tags": [tag.name for tag in result.tags]}
        return Response(AgentTimerTagsOutput(body).data)


class TimerStartView(ApiView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="timer_start",
        summary="Start a timer on a topic id; stops a running one first",
        request=TimerStartInput,
        responses=responses({201: TimerStartOutput}, *WRITE_ERRORS, 404, 409),
        tags=FULL,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = TimerStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        topic = topic_of(organization_id=actor.organization.pk, topic_id=data.validated_data["topicId"])
        result = services.timer_start(
            user=actor.user,
            organization=actor.organization,
            topic=topic,
            agent=actor.agent,
            notes=data.validated_data["notes"],
        )
        body = {"clockedTime": result.started, "stoppedClockedTime": result.stopped}
        return Response(TimerStartOutput(body).data, status=status.HTTP_201_CREATED)


class TimerStopView(ApiView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="timer_stop",
        summary="Stop the running timer, optionally replacing its notes",
        request=TimerStopInput,
        responses=responses({200: TimerStopOutput}, *WRITE_ERRORS, 404),
        tags=FULL,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = TimerStopInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.timer_stop(user=actor.user, notes=data.validated_data.get("notes"))
        return Response(TimerStopOutput({"clockedTime": entry}).data)


class TimerActiveView(ApiView):
    @extend_schema(
        operation_id="timer_active",
        summary="The running timer, if any",
        responses=responses({200: TimerActiveOutput}, *READ_ERRORS),
        tags=FULL,
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        running = ClockedTime.objects.filter(user=actor.user, end_time__isnull=True).first()
        return Response(TimerActiveOutput({"active": running is not None, "clockedTime": running}).data)
