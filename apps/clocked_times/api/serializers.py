from rest_framework import serializers

from apps.clocked_times.models import ClockedTime
from apps.core.api.fields import UtcDateTimeField
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
            "createdAt",
            "updatedAt",
        ]

    def get_tags(self, entry: ClockedTime) -> list[str]:
        return sorted(tag.name for tag in entry.tags.all())
