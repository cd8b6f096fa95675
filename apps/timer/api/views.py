"""Timer endpoints: the simple ones for shell hooks (/api/agent/timer…) and the full ones (/api/timer/…).

Start and stop carry ``throttle_scope = "timer"``: the spec gives timer operations their own, tighter limit.
Every endpoint acts on the caller's tracker: its agent and the session of the ``X-Teeckin-Session`` header
(or the body's ``source.session``); see apps.timer.services.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.agents.api.base import ApiView
from apps.clocked_times.api.provenance import SESSION_HEADER_PARAMETER, request_session, request_source
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.provenance import Source
from apps.core.api.output import represent
from apps.core.api.schema import READ_ERRORS, WRITE_ERRORS, responses
from apps.core.errors import ValidationFailed
from apps.core.timefmt import whole_minutes
from apps.organizations.actor import Actor
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
    RunningTimersOutput,
    TimerActiveOutput,
    TimerHeartbeatInput,
    TimerStartInput,
    TimerStartOutput,
    TimerStopInput,
    TimerStopOutput,
)
from apps.topics.matching import topic_resolve
from apps.topics.models import Topic
from apps.topics.selectors import topic_of

SIMPLE = ["Simple agent endpoints"]
FULL = ["Timer"]


def _topic_from_source(actor: Actor, source: Source, field: str) -> Topic:
    """A start without a topic (allowed only with source.repository): the repository's or the default."""
    topic = services.timer_topic_from_source(
        organization=actor.organization, agent=actor.agent, repository=source.repository
    )
    if topic is None:
        raise ValidationFailed(
            f"{field} is required: no topic is bound to this repository and the agent has no default topic.",
            details={field: ["No topic is bound to source.repository and the agent has no default topic."]},
        )
    return topic


def _stopped_summary(entry: ClockedTime | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {"clockedTimeId": entry.id, "topic": entry.topic, "duration": entry.duration_minutes}


def _stop(actor: Actor, request: Request) -> ClockedTime:
    data = TimerStopInput(data=request.data)
    data.is_valid(raise_exception=True)
    return services.timer_stop(
        user=actor.user,
        notes=data.validated_data.get("notes"),
        agent=actor.agent,
        session=request_session(request),
        at=data.validated_data.get("at"),
    )


class AgentTimerView(ApiView):
    @extend_schema(
        operation_id="agent_timer_status",
        summary="Is a timer running, on what, for how long",
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({200: AgentTimerStatusOutput}, *READ_ERRORS, 400),
        tags=SIMPLE,
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        running = services.timer_running(user=actor.user, agent=actor.agent, session=request_session(request))
        if running is None:
            body = {
                "running": False,
                "topic": None,
                "elapsedMinutes": None,
                "startedAt": None,
                "clockedTimeId": None,
            }
        else:
            elapsed = whole_minutes((timezone.now() - running.start_time).total_seconds())
            body = {
                "running": True,
                "topic": running.topic,
                "elapsedMinutes": elapsed,
                "startedAt": running.start_time,
                "clockedTimeId": running.id,
            }
        return Response(represent(AgentTimerStatusOutput, body))

    @extend_schema(
        operation_id="agent_timer_update",
        summary="Replace the running timer's notes",
        request=AgentTimerUpdateInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({200: AgentTimerUpdateOutput}, *WRITE_ERRORS, 404),
        tags=SIMPLE,
    )
    def patch(self, request: Request) -> Response:
        actor = self.actor(request)
        data = AgentTimerUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.timer_update(
            user=actor.user,
            notes=data.validated_data["notes"],
            agent=actor.agent,
            session=request_session(request),
        )
        return Response(AgentTimerUpdateOutput({"updated": True, "clockedTimeId": entry.id}).data)


class AgentTimerStartView(ApiView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="agent_timer_start",
        summary="Start a timer on a topic named by id or (fuzzy) name; stops a running one first",
        request=AgentTimerStartInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({201: AgentTimerStartOutput}, *WRITE_ERRORS, 404, 409),
        tags=SIMPLE,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = AgentTimerStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        source = request_source(request, values.get("source"))
        if "topic" in values:
            topic = topic_resolve(organization=actor.organization, query=values["topic"])
        else:
            topic = _topic_from_source(actor, source, "topic")
        result = services.timer_start(
            user=actor.user,
            organization=actor.organization,
            topic=topic,
            agent=actor.agent,
            notes=values["notes"],
            source=source,
            at=values.get("at"),
        )
        body = {
            "started": True,
            "topic": topic,
            "clockedTimeId": result.started.id,
            "startedAt": result.started.start_time,
            "stopped": _stopped_summary(result.stopped),
        }
        return Response(represent(AgentTimerStartOutput, body), status=status.HTTP_201_CREATED)


class AgentTimerStopView(ApiView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="agent_timer_stop",
        summary="Stop the running timer (404 NO_ACTIVE_TIMER when none runs)",
        request=TimerStopInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({200: AgentTimerStopOutput}, *WRITE_ERRORS, 404),
        tags=SIMPLE,
    )
    def post(self, request: Request) -> Response:
        entry = _stop(self.actor(request), request)
        body = {"stopped": True, "duration": entry.duration_minutes, "clockedTimeId": entry.id}
        return Response(represent(AgentTimerStopOutput, body))


class AgentTimerTagsView(ApiView):
    @extend_schema(
        operation_id="agent_timer_tags_add",
        summary="Attach tags by name to the running timer, creating missing ones",
        request=AgentTimerTagsInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({200: AgentTimerTagsOutput}, *WRITE_ERRORS, 404),
        tags=SIMPLE,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = AgentTimerTagsInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.timer_tags_add(
            user=actor.user,
            organization=actor.organization,
            names=data.validated_data["tags"],
            agent=actor.agent,
            session=request_session(request),
        )
        body = {"added": True, "clockedTimeId": result.entry.id, "tags": [tag.name for tag in result.tags]}
        return Response(AgentTimerTagsOutput(body).data)


class TimerStartView(ApiView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="timer_start",
        summary="Start a timer on a topic id; stops a running one first",
        request=TimerStartInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({201: TimerStartOutput}, *WRITE_ERRORS, 404, 409),
        tags=FULL,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = TimerStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        source = request_source(request, values.get("source"))
        if "topicId" in values:
            topic = topic_of(organization_id=actor.organization.pk, topic_id=values["topicId"])
        else:
            topic = _topic_from_source(actor, source, "topicId")
        result = services.timer_start(
            user=actor.user,
            organization=actor.organization,
            topic=topic,
            agent=actor.agent,
            notes=values["notes"],
            source=source,
            at=values.get("at"),
        )
        body = {"clockedTime": result.started, "stoppedClockedTime": result.stopped}
        return Response(TimerStartOutput(body).data, status=status.HTTP_201_CREATED)


class TimerStopView(ApiView):
    throttle_scope = "timer"

    @extend_schema(
        operation_id="timer_stop",
        summary="Stop the running timer, optionally replacing its notes",
        request=TimerStopInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({200: TimerStopOutput}, *WRITE_ERRORS, 404),
        tags=FULL,
    )
    def post(self, request: Request) -> Response:
        entry = _stop(self.actor(request), request)
        return Response(TimerStopOutput({"clockedTime": entry}).data)


class TimerActiveView(ApiView):
    @extend_schema(
        operation_id="timer_active",
        summary="The running timer, if any",
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({200: TimerActiveOutput}, *READ_ERRORS, 400),
        tags=FULL,
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        running = services.timer_running(user=actor.user, agent=actor.agent, session=request_session(request))
        return Response(TimerActiveOutput({"active": running is not None, "clockedTime": running}).data)


class AgentTimerHeartbeatView(ApiView):
    # Its own generous bucket, counted alone (settings.RATELIMITS): agents send one after every tool call.
    throttle_scope = "heartbeat"

    @extend_schema(
        operation_id="agent_timer_heartbeat",
        summary="This tracker is still working: keeps a session's timer from being stopped as idle",
        description=(
            "Cheap: stored at most once a minute per tracker. Counted only in the 'heartbeat' rate-limit "
            "bucket, not in 'timer', 'write' or the plan quota. 404 NO_ACTIVE_TIMER when the tracker has "
            "no running timer (it was stopped, e.g. as idle: start a new one)."
        ),
        request=TimerHeartbeatInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({204: None}, *WRITE_ERRORS, 404),
        tags=SIMPLE,
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        TimerHeartbeatInput(data=request.data).is_valid(raise_exception=True)
        services.timer_heartbeat(user=actor.user, agent=actor.agent, session=request_session(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TimerHeartbeatView(AgentTimerHeartbeatView):
    @extend_schema(
        operation_id="timer_heartbeat",
        summary="This tracker is still working (the /api/v1 twin of /api/agent/timer/heartbeat)",
        request=TimerHeartbeatInput,
        parameters=[SESSION_HEADER_PARAMETER],
        responses=responses({204: None}, *WRITE_ERRORS, 404),
        tags=FULL,
    )
    def post(self, request: Request) -> Response:
        return super().post(request)


class TimersRunningView(ApiView):
    @extend_schema(
        operation_id="timers_running",
        summary="All of the person's running timers, each with its agent and session",
        description="For an agent: its owner's running timers, of every agent and session (newest first).",
        responses=responses({200: RunningTimersOutput}, *READ_ERRORS, 400),
        tags=FULL,
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)  # unknown query parameters were refused by ApiView
        running = services.timers_running(user=actor.user)
        return Response(RunningTimersOutput({"count": len(running), "results": running}).data)
