from rest_framework import serializers

from apps.core.api.fields import UtcDateTimeField
from apps.topics.models import Topic


class TopicRefOutput(serializers.Serializer):
    """A topic as agents see it inline: ``{"id", "name", "category"}`` (the category's name)."""

    id = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField(source="category.name")


class TopicOutput(serializers.ModelSerializer):
    """The full topic, as the topic endpoints and ``project.*`` webhook events return it."""

    categoryId = serializers.CharField(source="category_id")
    category = serializers.CharField(source="category.name")
    createdAt = UtcDateTimeField(source="created_at")
    updatedAt = UtcDateTimeField(source="updated_at")

    class Meta:
        model = Topic
        fields = ["id", "name", "categoryId", "category", "archived", "createdAt", "updatedAt"]
