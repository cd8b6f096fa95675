from rest_framework import serializers

from apps.core.api.fields import UtcDateTimeField
from apps.core.api.serializers import StrictBooleanField, StrictCharField, StrictInput
from apps.topics.models import Category, Topic, TopicAlias, TopicRepository


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


class TopicAliasOutput(serializers.ModelSerializer):
    topicId = serializers.CharField(source="topic_id")
    createdAt = UtcDateTimeField(source="created_at")

    class Meta:
        model = TopicAlias
        fields = ["id", "topicId", "name", "createdAt"]


class TopicAliasListOutput(serializers.Serializer):
    aliases = TopicAliasOutput(many=True)


class TopicAliasInput(StrictInput):
    name = StrictCharField(max_length=200, help_text="Unique per organization among topic names and aliases.")


class TopicRepositoryOutput(serializers.ModelSerializer):
    topicId = serializers.CharField(source="topic_id")
    pattern = serializers.CharField(help_text="Normalised: lower case, host/owner/name, no scheme or .git.")
    createdAt = UtcDateTimeField(source="created_at")

    class Meta:
        model = TopicRepository
        fields = ["id", "topicId", "pattern", "createdAt"]


class TopicRepositoryListOutput(serializers.Serializer):
    repositories = TopicRepositoryOutput(many=True)


class TopicRepositoryInput(StrictInput):
    pattern = StrictCharField(
        max_length=1000,
        help_text="A repository name, owner/name, host/owner/name or remote URL; * ? [ ] are globs.",
    )


class TopicResolveQuery(StrictInput):
    q = StrictCharField(required=False, max_length=500, help_text="A topic id, name or alias.")
    repository = StrictCharField(
        required=False, max_length=1000, help_text="A repository name or remote URL (bindings)."
    )

    def validate(self, attrs: dict) -> dict:
        if ("q" in attrs) == ("repository" in attrs):
            raise serializers.ValidationError({"q": ["Give exactly one of q and repository."]})
        return attrs


class TopicResolveCandidateOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    score = serializers.FloatField(help_text="0-100; closest first.")


class TopicResolveBindingOutput(serializers.Serializer):
    pattern = serializers.CharField()
    topicId = serializers.CharField()


class TopicResolveErrorOutput(serializers.Serializer):
    error = serializers.CharField()
    code = serializers.CharField()
    details = serializers.DictField()


class TopicResolveOutput(serializers.Serializer):
    query = serializers.CharField(allow_null=True, help_text="q as given, or null.")
    repository = serializers.CharField(allow_null=True, help_text="The repository normalised, or null.")
    resolved = serializers.BooleanField(help_text="Whether a timer start would land on `topic`.")
    topic = TopicRefOutput(allow_null=True)
    rule = serializers.CharField(help_text="The rule that decided: id, exact, name-in-query, tokens, …")
    score = serializers.FloatField(allow_null=True)
    candidates = TopicResolveCandidateOutput(many=True)
    bindings = TopicResolveBindingOutput(many=True, help_text="Repository bindings that matched, best first.")
    error = TopicResolveErrorOutput(allow_null=True, help_text="The error a start would answer, or null.")
