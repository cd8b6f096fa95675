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


class TokenRequestInput(serializers.Serializer):
    """The form fields of ``POST /api/oauth/token`` (documentation only: DOT parses the form itself)."""

    grant_type = serializers.ChoiceField(choices=["client_credentials"])
    client_id = serializers.CharField(required=False, help_text="Or send id and secret with HTTP Basic.")
    client_secret = serializers.CharField(required=False)
    scope = serializers.CharField(
        required=False,
        help_text=(
            'Space-separated scopes: "agent" (the default when omitted), "webhooks". Each must be allowed '
            "to the agent, else invalid_scope. The token gets exactly these."
        ),
    )


class TokenOutput(serializers.Serializer):
    access_token = serializers.CharField(help_text="tat_…")
    token_type = serializers.ChoiceField(choices=["Bearer"])
    expires_in = serializers.IntegerField(help_text="Seconds: 3600.")


class RevokeRequestInput(serializers.Serializer):
    """The form fields of ``POST /api/oauth/revoke`` (documentation only: oauthlib parses the form)."""

    token = serializers.CharField(min_length=1, help_text="The access token (tat_…) to revoke.")
    token_type_hint = serializers.ChoiceField(choices=["access_token", "refresh_token"], required=False)
    client_id = serializers.CharField(required=False, help_text="Or send id and secret with HTTP Basic.")
    client_secret = serializers.CharField(required=False)


class OAuthErrorOutput(serializers.Serializer):
    """RFC 6749 §5.2 error: the OAuth endpoints answer in OAuth's shape, not the API envelope."""

    error = serializers.ChoiceField(
        choices=[
            "invalid_request",
            "invalid_client",
            "unsupported_grant_type",
            "invalid_scope",
            "unsupported_token_type",
        ]
    )
    error_description = serializers.CharField(required=False)
