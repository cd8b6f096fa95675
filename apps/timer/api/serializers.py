from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from apps.clocked_times.api.provenance import source_field
from apps.clocked_times.api.serializers import ClockedTimeOutput
from apps.core.api.fields import InputDateTimeField, UtcDateTimeField
from apps.core.api.serializers import StrictCharField, StrictInput, notes_field, tag_names_field
from apps.topics.api.serializers import TopicRefOutput


class OffsetDateTimeField(InputDateTimeField):
    """An ISO 8601 time that must carry its UTC offset (the API's one rule, InputDateTimeField): a naive
    time means a different instant on every machine, and an offline client's replayed start or stop must
    keep the instant it happened. Its range is the timer service's, tighter than the API's window (at
    most 24 hours back, not ahead), refused there as INVALID_TIME_RANGE."""

    def to_internal_value(self, value: Any) -> datetime:
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well formed but impossible, such as February 30
            parsed = None
        if parsed is None:
            self.fail("invalid", format="ISO 8601 with a UTC offset, e.g. 2026-03-30T09:00:00Z")
        return super().to_internal_value(value)

    def window_check(self, value: datetime) -> None:
        return None


def at_field(what: str) -> OffsetDateTimeField:
    return OffsetDateTimeField(
        required=False,
        help_text=f"When the {what} happened, for a client replaying it later (ISO 8601 with offset; at "
        "most 24 hours ago, not in the future). Default: now.",
    )


def _topic_or_repository(attrs: dict[str, Any], topic_field: str) -> dict[str, Any]:
    # The topic may be left out only when the source names a repository (resolved from it or the agent's
    # default topic); otherwise the spec's "required" stands.
    if topic_field not in attrs and not (attrs.get("source") or {}).get("repository"):
        raise serializers.ValidationError({topic_field: ["This field is required."]}, code="required")
    return attrs


# --- Simple endpoints (/api/agent/…)


class AgentTimerStartInput(StrictInput):
    topic = StrictCharField(
        max_length=500,
        required=False,
        help_text="A topic id or name (fuzzy matched). Required unless source.repository is given: then "
        "the repository's topic, else the agent's default topic.",
    )
    notes = notes_field(required=False, default="")
    source = source_field()
    at = at_field("start")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _topic_or_repository(attrs, "topic")


class AgentStoppedOutput(serializers.Serializer):
    clockedTimeId = serializers.CharField()
    topic = TopicRefOutput()
    duration = serializers.IntegerField(help_text="Minutes.")


class AgentTimerStartOutput(serializers.Serializer):
    started = serializers.BooleanField()
    topic = TopicRefOutput()
    clockedTimeId = serializers.CharField()
    startedAt = UtcDateTimeField()
    stopped = AgentStoppedOutput(
        allow_null=True, help_text="The timer this start stopped, if one was running."
    )


class AgentTimerStatusOutput(serializers.Serializer):
    running = serializers.BooleanField()
    topic = TopicRefOutput(allow_null=True)
    elapsedMinutes = serializers.IntegerField(allow_null=True)
    startedAt = UtcDateTimeField(allow_null=True)
    clockedTimeId = serializers.CharField(allow_null=True)


class AgentTimerStopOutput(serializers.Serializer):
    stopped = serializers.BooleanField()
    duration = serializers.IntegerField(help_text="Minutes.")
    clockedTimeId = serializers.CharField()


class AgentTimerUpdateInput(StrictInput):
    notes = notes_field()


class AgentTimerUpdateOutput(serializers.Serializer):
    updated = serializers.BooleanField()
    clockedTimeId = serializers.CharField()


class AgentTimerTagsInput(StrictInput):
    tags = tag_names_field(allow_empty=False)


class AgentTimerTagsOutput(serializers.Serializer):
    added = serializers.BooleanField()
    clockedTimeId = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())


# --- Full endpoints (/api/timer/…, /api/v1/timer/…)


class TimerStartInput(StrictInput):
    topicId = StrictCharField(
        max_length=32,
        required=False,
        help_text="Required unless source.repository is given: then the repository's topic, else the "
        "agent's default topic.",
    )
    notes = notes_field(required=False, default="")
    source = source_field()
    at = at_field("start")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        return _topic_or_repository(attrs, "topicId")


class TimerEntryOutput(serializers.Serializer):
    id = serializers.CharField()
    topicId = serializers.CharField(source="topic_id")
    startTime = UtcDateTimeField(source="start_time")


class StoppedEntryOutput(serializers.Serializer):
    id = serializers.CharField()
    topicId = serializers.CharField(source="topic_id")
    startTime = UtcDateTimeField(source="start_time")
    endTime = UtcDateTimeField(source="end_time")


class TimerStartOutput(serializers.Serializer):
    clockedTime = TimerEntryOutput()
    stoppedClockedTime = StoppedEntryOutput(
        allow_null=True, help_text="The timer this start stopped, if any."
    )


class TimerStopInput(StrictInput):
    """The body of both stops (simple and full): optional notes that replace the entry's."""

    notes = notes_field(required=False)
    at = at_field("stop")


class TimerStopOutput(serializers.Serializer):
    clockedTime = StoppedEntryOutput()


class TimerActiveOutput(serializers.Serializer):
    active = serializers.BooleanField()
    clockedTime = TimerEntryOutput(allow_null=True)


class TimerHeartbeatInput(StrictInput):
    """No fields: an empty body or ``{}``. The tracker is the caller's (agent and X-Teeckin-Session)."""


class RunningAgentOutput(serializers.Serializer):
    clientId = serializers.CharField(source="client_id")
    name = serializers.CharField()


class RunningTimerOutput(ClockedTimeOutput):
    """A running time entry with the agent that runs it (null: the person's own) and its last heartbeat."""

    agent = RunningAgentOutput(allow_null=True, help_text="The agent running it; null for the person's own.")
    lastHeartbeatAt = UtcDateTimeField(source="last_heartbeat_at", allow_null=True)

    class Meta(ClockedTimeOutput.Meta):
        fields = [*ClockedTimeOutput.Meta.fields, "agent", "lastHeartbeatAt"]


class RunningTimersOutput(serializers.Serializer):
    count = serializers.IntegerField()
    results = RunningTimerOutput(many=True)
