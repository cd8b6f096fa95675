"""OpenAPI security schemes for our authentication classes (imported in AgentsConfig.ready)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class AgentTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.agents.authentication.AgentTokenAuthentication"
    name = "agentToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An access token (tat_…) from POST /api/oauth/token (client credentials). Each "
                "operation lists the scope the token must carry: agent (the default) or webhooks."
            ),
        }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.agents.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "X-API-Key"}
