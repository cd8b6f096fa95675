from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rest_framework import serializers

from apps.clocked_times.api.provenance import SourceOutput, source_field
from apps.clocked_times.models import ClockedTime
from apps.clocked_times.reports import GROUPINGS, MAX_RANGE_DAYS
from apps.core.api.fields import InputDateField, InputDateTimeField, UtcDateTimeField
from apps.core.api.pagination import PageQuery
from apps.core.api.serializers import (
    StrictCharField,
    StrictInput,
    StrictIntegerField,
    notes_field,
    tag_names_field,
)
from apps.topics.api.serializers import TopicRefOutput


class ClockedTimeOutput(serializers.ModelSerializer):
    """The full time entry, as the clocked-times endpoints and ``time_entry.*`` webhook events return it.

    Query with ``select_related("topic__category", "user", "agent")`` and ``prefetch_related("tags")``.
    """

    topicId = serializers.CharField(source="topic_id")
    topic = TopicRefOutput()
    startTime = UtcDateTimeField(source="start_time")
    endTime = UtcDateTimeField(source="end_time", allow_null=True)
    duration = serializers.IntegerField(source="duration_minutes", allow_null=True, help_text="Minutes.")
    running = serializers.BooleanField(source="is_running")
    tags = serializers.SerializerMethodField()
    user = serializers.CharField(source="user.username")
    agentId = serializers.CharField(source="agent.client_id", allow_null=True, default=None)
    source = SourceOutput(source="*", help_text="Where the entry came from (client, session, repository…).")
    createdAt = UtcDateTimeField(source="created_at")
    updatedAt = UtcDateTimeField(source="updated_at")

    class Meta:
        model = ClockedTime
        fields = [
            "id",
            "topicId",
            "topic",
            "startTime",
            "endTime",
            "duration",
            "running",
            "type",
            "notes",
            "tags",
            "user",
            "agentId",
            "source",
            "createdAt",
            "updatedAt",
        ]

    def get_tags(self, entry: ClockedTime) -> list[str]:
        return sorted(tag.name for tag in entry.tags.all())


# --- Inputs and list/agent outputs


class AgentTimeInput(StrictInput):
    topic = StrictCharField(max_length=500, help_text="A topic id or name (fuzzy matched).")
    duration_minutes = StrictIntegerField(min_value=1, max_value=24 * 60)
    notes = notes_field(required=False, default="")
    start_time = InputDateTimeField(
        required=False, help_text="When the work began (ISO 8601 with offset). Default: it ends now."
    )
    source = source_field()


class AgentTimeOutput(serializers.Serializer):
    logged = serializers.BooleanField()
    id = serializers.CharField()
    topic = TopicRefOutput()
    duration = serializers.IntegerField(help_text="Minutes.")


class ClockedTimeCreateInput(StrictInput):
    topicId = StrictCharField(max_length=32)
    startTime = InputDateTimeField()
    endTime = InputDateTimeField()
    type = serializers.ChoiceField(choices=["manual"], required=False, default="manual")
    notes = notes_field(required=False, default="")
    tags = tag_names_field(required=False, default=list, help_text="Tag names; missing ones are created.")
    source = source_field()


class ClockedTimeUpdateInput(StrictInput):
    topicId = StrictCharField(max_length=32, required=False)
    startTime = InputDateTimeField(required=False)
    endTime = InputDateTimeField(required=False, help_text="Setting it on a running entry stops it.")
    notes = notes_field(required=False)
    tags = tag_names_field(required=False, help_text="Replaces the entry's tags; missing ones are created.")


class ClockedTimeListQuery(PageQuery):
    topic_id = serializers.CharField(required=False, max_length=32, help_text="Only entries on this topic.")
    tag = serializers.CharField(
        required=False, max_length=100, help_text="Only entries with this tag (name, any case)."
    )
    session = serializers.CharField(
        required=False, max_length=128, help_text="Only entries of this agent session (source.session)."
    )
    repository = serializers.CharField(
        required=False,
        max_length=500,
        help_text="Only entries from this repository (source.repository, exactly).",
    )
    start_date = InputDateField(
        required=False, help_text="YYYY-MM-DD (UTC): entries starting on or after it."
    )
    end_date = InputDateField(required=False, help_text="YYYY-MM-DD (UTC): entries starting on or before it.")

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["Must not be before start_date."]})
        return attrs


class ClockedTimePageOutput(serializers.Serializer):
    count = serializers.IntegerField(help_text="Entries matching the filters, on all pages.")
    page = serializers.IntegerField()
    pageSize = serializers.IntegerField()
    results = ClockedTimeOutput(many=True)


class ReportSummaryQuery(StrictInput):
    start_date = InputDateField(help_text="YYYY-MM-DD, first day.")
    end_date = InputDateField(help_text="YYYY-MM-DD, last day (inclusive).")
    group_by = serializers.ChoiceField(choices=list(GROUPINGS), default="topic")
    timezone = serializers.CharField(
        default="UTC", max_length=64, help_text="IANA name: the days of the range and of group_by=day."
    )
    topic_id = serializers.CharField(required=False, max_length=32)
    tag = serializers.CharField(required=False, max_length=100, help_text="A tag name (any case).")
    agent_id = serializers.CharField(
        required=False, max_length=100, help_text='An agent\'s client id, or "none" for entries without one.'
    )
    repository = serializers.CharField(
        required=False, max_length=500, help_text="Only work in this repository (the entries' source)."
    )
    member = serializers.CharField(
        required=False, max_length=150, help_text="A member's username (organization owners and admins only)."
    )

    def validate_timezone(self, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(
                "Unknown timezone; use an IANA name such as Europe/Berlin."
            ) from None
        return value

    def validate(self, attrs: dict) -> dict:
        if attrs["end_date"] < attrs["start_date"]:
            raise serializers.ValidationError({"end_date": ["Must not be before start_date."]})
        if (attrs["end_date"] - attrs["start_date"]).days > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {"end_date": [f"A range can be at most {MAX_RANGE_DAYS} days."]}
            )
        return attrs


class ReportGroupOutput(serializers.Serializer):
    key = serializers.CharField(
        help_text="The group's id (topic, category, tag), client id, username or date."
    )
    label = serializers.CharField()
    seconds = serializers.IntegerField()
    entries = serializers.IntegerField()


class ReportSummaryOutput(serializers.Serializer):
    startDate = serializers.DateField(source="start")
    endDate = serializers.DateField(source="end")
    groupBy = serializers.CharField(source="group_by")
    timezone = serializers.CharField()
    totalSeconds = serializers.IntegerField(source="total_seconds")
    groups = ReportGroupOutput(many=True, source="rows")
