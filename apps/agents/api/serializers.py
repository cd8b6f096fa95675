from rest_framework import serializers

from apps.topics.api.serializers import TopicRefOutput


class AgentMeAgentOutput(serializers.Serializer):
    clientId = serializers.CharField(source="client_id")
    name = serializers.CharField()
    defaultTopic = TopicRefOutput(source="default_topic", allow_null=True)


class AgentMeUserOutput(serializers.Serializer):
    username = serializers.CharField()


class AgentMeOrganizationOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class AgentMeOutput(serializers.Serializer):
    """Who the credentials act as: the agent (null for a personal API key), its owner, the organization."""

    agent = AgentMeAgentOutput(allow_null=True)
    user = AgentMeUserOutput()
    organization = AgentMeOrganizationOutput()
