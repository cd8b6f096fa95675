from rest_framework import serializers

from apps.core.api.fields import UtcDateTimeField
from apps.core.api.serializers import StrictBooleanField, StrictCharField, StrictInput
from apps.topics.models import Category, Topic


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


class AgentTopicsOutput(serializers.Serializer):
    topics = TopicRefOutput(many=True)


class CategoryOutput(serializers.ModelSerializer):
    createdAt = UtcDateTimeField(source="created_at")
    updatedAt = UtcDateTimeField(source="updated_at")

    class Meta:
        model = Category
        fields = ["id", "name", "createdAt", "updatedAt"]


class ForAgentTopicOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    recentlyUsed = serializers.BooleanField()


class ForAgentCategoryOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    topics = ForAgentTopicOutput(many=True)


class TopicsForAgentOutput(serializers.Serializer):
    categories = ForAgentCategoryOutput(many=True)
    recentTopicIds = serializers.ListField(child=serializers.CharField())
    defaultTopicId = serializers.CharField(allow_null=True)
    organizationGuidance = serializers.CharField(allow_blank=True)


class TopicListOutput(serializers.Serializer):
    topics = TopicOutput(many=True)


class CategoryListOutput(serializers.Serializer):
    categories = CategoryOutput(many=True)


class TopicCreateInput(StrictInput):
    name = StrictCharField(max_length=200)
    categoryId = StrictCharField(max_length=32)
    archived = StrictBooleanField(required=False, default=False)


class TopicUpdateInput(StrictInput):
    name = StrictCharField(max_length=200, required=False)
    categoryId = StrictCharField(max_length=32, required=False)
    archived = StrictBooleanField(required=False)


class CategoryInput(StrictInput):
    name = StrictCharField(max_length=200)
