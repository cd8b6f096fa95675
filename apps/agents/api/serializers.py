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

    grant_type = serializers.ChoiceField(
        choices=["client_credentials", "authorization_code", "refresh_token"]
    )
    client_id = serializers.CharField(required=False, help_text="Or send id and secret with HTTP Basic.")
    client_secret = serializers.CharField(required=False, help_text="client_credentials only.")
    scope = serializers.CharField(
        required=False,
        help_text=(
            'Space-separated scopes: "agent" (the default when omitted), "webhooks". Each must be allowed '
            "to the agent, else invalid_scope. The token gets exactly these."
        ),
    )
    resource = serializers.URLField(
        required=False,
        help_text=(
            "RFC 8707: <origin>/mcp for a token the MCP endpoint accepts. client_credentials tokens "
            "without it are for the REST API only; browser-authorized tokens are always for /mcp."
        ),
    )
    code = serializers.CharField(required=False, help_text="authorization_code: the code from the redirect.")
    code_verifier = serializers.CharField(
        required=False, help_text="authorization_code: PKCE (S256) verifier."
    )
    redirect_uri = serializers.CharField(required=False, help_text="authorization_code: as in the request.")
    refresh_token = serializers.CharField(
        required=False, help_text="refresh_token: trt_…, single use (a new one comes with each answer)."
    )


class TokenOutput(serializers.Serializer):
    access_token = serializers.CharField(help_text="tat_…")
    token_type = serializers.ChoiceField(choices=["Bearer"])
    expires_in = serializers.IntegerField(help_text="Seconds: 3600.")
    refresh_token = serializers.CharField(
        required=False, help_text="trt_…: authorization_code and refresh_token grants only (rotated on use)."
    )
    scope = serializers.CharField(
        required=False, help_text="authorization_code and refresh_token grants only."
    )


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
            "invalid_grant",
            "unsupported_grant_type",
            "invalid_scope",
            "invalid_target",
            "unsupported_token_type",
        ]
    )
    error_description = serializers.CharField(required=False)
