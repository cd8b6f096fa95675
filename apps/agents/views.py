"""The OAuth2 token endpoint, ``POST /api/oauth/token`` (client credentials only).

DOT's TokenView does the work (client authentication through ``apps.agents.oauth``, token storage as a
digest). This subclass pins the contract of the spec and RFC 6749 §5: form-encoded parameters only,
``client_credentials`` only, and exactly ``access_token``, ``token_type`` and ``expires_in`` in the answer.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from oauth2_provider.views import TokenView

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SUCCESS_FIELDS = ("access_token", "token_type", "expires_in")


def oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error, "error_description": description}, status=status)
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


class AgentTokenView(TokenView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.content_type not in FORM_CONTENT_TYPES:
            return oauth_error(
                "invalid_request",
                "Send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded).",
            )
        grant_type = request.POST.get("grant_type")
        if not grant_type:
            return oauth_error("invalid_request", "Missing grant_type parameter.")
        if grant_type != "client_credentials":
            return oauth_error("unsupported_grant_type", "Only grant_type=client_credentials is supported.")

        response = super().post(request, *args, **kwargs)
        if response.status_code == 200:
            # oauthlib adds "scope"; the spec's answer has exactly these three fields.
            issued = json.loads(response.content)
            response.content = json.dumps({field: issued[field] for field in SUCCESS_FIELDS})
        elif response.status_code == 401:
            # RFC 6749 §5.2: the challenge names the scheme clients authenticate with here (oauthlib
            # would say "Bearer", the scheme of the API, not of this endpoint).
            response["WWW-Authenticate"] = 'Basic realm="teeckin", error="invalid_client"'
        response["Content-Type"] = "application/json"
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = oauth_error("invalid_request", "Use POST.", status=405)
        response["Allow"] = "POST"
        return response
