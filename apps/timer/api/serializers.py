from rest_framework import serializers

from apps.core.api.fields import UtcDateTimeField
from apps.core.api.serializers import StrictCharField, StrictInput, notes_field, tag_names_field
from apps.topics.api.serializers import TopicRefOutput

# --- Simple endpoints (/api/agent/…)


class AgentTimerStartInput(StrictInput):
    topic = StrictCharField(max_length=500, help_text="A topic id or name (fuzzy matched).")
    notes = notes_field(required=False, default="")


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
    topicId = StrictCharField(max_length=32)
    notes = notes_field(required=False, default="")


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


class TimerStopOutput(serializers.Serializer):
    clockedTime = StoppedEntryOutput()


class TimerActiveOutput(serializers.Serializer):
    active = serializers.BooleanField()
    clockedTime = TimerEntryOutput(allow_null=True)
