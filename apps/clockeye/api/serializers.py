"""ClockEye's shapes: snake_case fields, projects for topics, description for notes.

ClockEye documents requests but not answers; the answers here are ours to keep stable (docs/clockeye.md,
"Answers"). ``task_id`` has no Teeckin meaning: it is kept as the tag ``task:<task_id>``.
"""

from __future__ import annotations

from rest_framework import serializers

from apps.clocked_times.models import ClockedTime
from apps.core.api.fields import InputDateField, UtcDateTimeField
from apps.core.api.pagination import PAGE_SIZE_DEFAULT
from apps.core.api.schema import ONE_WORD_PATTERN, schema_pattern
from apps.core.api.serializers import StrictCharField, StrictInput, notes_field

TASK_TAG_PREFIX = "task:"
TASK_ID_MAX = 100 - len(TASK_TAG_PREFIX)  # a tag name holds at most 100 characters


def task_id_of(entry: ClockedTime) -> str | None:
    """The task id an entry was started with, read back from its ``task:`` tag (tags prefetched)."""
    for tag in entry.tags.all():
        if tag.name.startswith(TASK_TAG_PREFIX):
            return tag.name.removeprefix(TASK_TAG_PREFIX)
    return None


class ProjectOutput(serializers.Serializer):
    id = serializers.CharField(help_text="The topic's id (top-…).")
    name = serializers.CharField()
    category = serializers.CharField(source="category.name", help_text="The topic's category.")
    archived = serializers.BooleanField(help_text="Archived projects take no new time.")
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()


class ProjectListOutput(serializers.Serializer):
    projects = ProjectOutput(many=True)


class ClockEyeTimeEntryOutput(serializers.Serializer):
    id = serializers.CharField()
    user_id = serializers.CharField(source="user.pk", help_text="The user's id, as in user.* events.")
    project_id = serializers.CharField(source="topic_id")
    project_name = serializers.CharField(source="topic.name")
    task_id = serializers.SerializerMethodField(help_text="From the entry's task:… tag; null without one.")
    description = serializers.CharField(source="notes")
    start_time = UtcDateTimeField()
    end_time = UtcDateTimeField(allow_null=True)
    duration = serializers.SerializerMethodField(help_text="Seconds; null while running.")
    running = serializers.BooleanField(source="is_running")
    tags = serializers.SerializerMethodField()
    created_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()

    def get_task_id(self, entry: ClockedTime) -> str | None:
        return task_id_of(entry)

    def get_duration(self, entry: ClockedTime) -> int | None:
        if entry.end_time is None:
            return None
        return int((entry.end_time - entry.start_time).total_seconds())

    def get_tags(self, entry: ClockedTime) -> list[str]:
        return sorted(tag.name for tag in entry.tags.all())


class ClockEyeTimeEntryPageOutput(serializers.Serializer):
    time_entries = ClockEyeTimeEntryOutput(many=True)
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Entries matching the filters, on all pages.")
    total_pages = serializers.IntegerField()


class ClockEyeTimeEntryListQuery(StrictInput):
    """ClockEye's filters; any other query parameter is refused (400), never silently ignored."""

    user_id = serializers.CharField(required=False, max_length=32)
    project_id = serializers.CharField(required=False, max_length=32)
    start_date = InputDateField(required=False)
    end_date = InputDateField(required=False)
    page = serializers.IntegerField(min_value=1, default=1)
    per_page = serializers.IntegerField(min_value=1, default=PAGE_SIZE_DEFAULT)

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("start_date"), attrs.get("end_date")
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["Must not be before start_date."]})
        return attrs


class ClockEyeTimerStartInput(StrictInput):
    project_id = StrictCharField(max_length=32, help_text="A project (topic) id, top-….")
    task_id = schema_pattern(
        StrictCharField(
            required=False,
            max_length=TASK_ID_MAX,
            trim_whitespace=False,  # a space anywhere is refused, as the published pattern says
            help_text="Kept as the tag task:<task_id> (tags ignore case).",
        ),
        ONE_WORD_PATTERN,
    )
    description = notes_field(required=False, default="")

    def validate_task_id(self, value: str) -> str:
        if not value or any(char.isspace() for char in value):
            raise serializers.ValidationError("A task id is one word: no spaces.")
        return value


class ClockEyeTimerStopInput(StrictInput):
    description = notes_field(required=False, help_text="Replaces the entry's description.")
