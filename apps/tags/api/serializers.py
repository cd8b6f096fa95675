from rest_framework import serializers

from apps.core.api.fields import UtcDateTimeField
from apps.core.api.serializers import StrictCharField, StrictInput
from apps.tags.models import Tag


class TagRefOutput(serializers.Serializer):
    """A tag as agents list it: ``{"id", "name"}``."""

    id = serializers.CharField()
    name = serializers.CharField()


class AgentTagsOutput(serializers.Serializer):
    tags = TagRefOutput(many=True)


class TagOutput(serializers.ModelSerializer):
    createdAt = UtcDateTimeField(source="created_at")

    class Meta:
        model = Tag
        fields = ["id", "name", "createdAt"]


class TagListOutput(serializers.Serializer):
    tags = TagOutput(many=True)


class TagInput(StrictInput):
    name = StrictCharField(max_length=100)
