from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from oauth2_provider.views.mixins import OAuthLibMixin
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.agents.api.serializers import (
    AgentMeOutput,
    OAuthErrorOutput,
    RevokeRequestInput,
    TokenOutput,
    TokenRequestInput,
)
from apps.agents.models import Agent
from apps.agents.oauth_views import canonical_resource, mcp_resource_url
from apps.core.api.query import StrictQueryMixin
from apps.core.api.schema import READ_ERRORS, responses
from apps.organizations.actor import actor_from_request

FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
SUCCESS_FIELDS = ("access_token", "token_type", "expires_in")
INTERACTIVE_GRANT_TYPES = ("authorization_code", "refresh_token")
UNSUPPORTED_GRANT = (
    "Only grant_type=client_credentials is supported for agents with a secret; authorization_code and "
    "refresh_token are for browser-authorized (public) clients."
)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def oauth_error(error: str, description: str, status: int = 400) -> JsonResponse:
    return _no_store(JsonResponse({"error": error, "error_description": description}, status=status))


def form_refusal(request: HttpRequest) -> HttpResponse | None:
    """What the OAuth endpoints refuse before oauthlib sees the request, in OAuth's error shape."""
    if request.GET:
        # RFC 6749 §3.2 and RFC 7009 §2.1: parameters travel in the body; oauthlib refuses them too.
        return oauth_error("invalid_request", f"Unknown query parameters: {', '.join(sorted(request.GET))}.")
    if request.content_type not in FORM_CONTENT_TYPES:
        return oauth_error(
            "invalid_request",
            "Send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded).",
        )
    return None


def oauthlib_response(response: HttpResponse, headers: dict[str, str]) -> HttpResponse:
    """``response`` with oauthlib's headers, our client challenge and no caching (RFC 6749 §5.1)."""
    if response.status_code == 401:
        # RFC 6749 §5.2: the challenge names the scheme clients authenticate with here (oauthlib would
        # say "Bearer", the scheme of the API, not of these endpoints).
        headers = {**headers, "WWW-Authenticate": 'Basic realm="teeckin", error="invalid_client"'}
    for name, value in headers.items():
        if name.lower() != "content-type":
            response[name] = value
    return _no_store(response)


class AgentTokenView(OAuthLibMixin, APIView):
    """``POST /api/oauth/token``: client credentials in, a one-hour ``tat_`` access token out; for
    browser-authorized MCP clients also the authorization code (PKCE) and refresh token grants.

    DOT and oauthlib do the work (client authentication through ``apps.agents.oauth``, token storage as
    a digest); this view pins the contract of the spec and RFC 6749 §5: form-encoded parameters only,
    ``client_credentials`` only, and exactly ``access_token``, ``token_type`` and ``expires_in``. It is a
    DRF view only so the endpoint appears in the OpenAPI schema; it answers in OAuth's error shape.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    # Limited by token_endpoint_limited where it is mounted (per IP and per client id), not per agent.
    throttle_classes: list[Any] = []
    parser_classes = [FormParser, MultiPartParser]

    @extend_schema(
        operation_id="oauth_token",
        request={"application/x-www-form-urlencoded": TokenRequestInput},
        responses={
            200: TokenOutput,
            400: OpenApiResponse(
                OAuthErrorOutput, description="invalid_request, unsupported_grant_type or invalid_scope"
            ),
            401: OpenApiResponse(OAuthErrorOutput, description="invalid_client"),
        },
        auth=[],
    )
    def post(self, request: Request) -> HttpResponse:
        django_request = request._request
        # Keep the secret out of error reports (Django's decorator refuses DRF's Request object).
        django_request.sensitive_post_parameters = ["client_secret"]
        refusal = form_refusal(django_request)
        if refusal is not None:
            return refusal
        grant_type = django_request.POST.get("grant_type")
        if not grant_type:
            return oauth_error("invalid_request", "Missing grant_type parameter.")
        if grant_type in INTERACTIVE_GRANT_TYPES:
            return self.interactive_token(django_request, grant_type)
        if grant_type != "client_credentials":
            return oauth_error("unsupported_grant_type", UNSUPPORTED_GRANT)
        for resource in django_request.POST.getlist("resource"):
            # A secret agent's token is for the REST API (no resource) or, asked for, the MCP endpoint.
            if canonical_resource(resource) != canonical_resource(mcp_resource_url(django_request)):
                return oauth_error(
                    "invalid_target",
                    f"Unknown resource '{resource}'. Omit resource for the REST API, or send "
                    f"{mcp_resource_url(django_request)} for the MCP endpoint.",
                )

        _, headers, body, status = self.create_token_response(django_request)
        if status == 200:
            issued = json.loads(body)
            # oauthlib adds "scope"; the spec's answer has exactly these three fields. RFC 6749 §5.1 needs
            # "scope" only when the granted scope differs from the requested one, and ours never does: a
            # named scope is granted exactly or refused (invalid_scope), none named means "agent".
            response = JsonResponse({field: issued[field] for field in SUCCESS_FIELDS})
        else:
            response = HttpResponse(body, status=status, content_type="application/json")
        return oauthlib_response(response, headers)

    def interactive_token(self, request: HttpRequest, grant_type: str) -> HttpResponse:
        """authorization_code (with the PKCE verifier) and refresh_token, for browser-authorized public
        clients only: DOT answers, with its full RFC 6749 body (refresh_token and scope included)."""
        if any("\x00" in value for values in request.POST.lists() for value in values[1]):
            # PostgreSQL refuses NUL in text; DOT would look codes and ids up as they are (a 500).
            return oauth_error("invalid_request", "Parameters must not contain NUL characters.")
        client_id = request.POST.get("client_id", "")
        client = Agent.objects.filter(client_id=client_id).first() if client_id else None
        if (
            "client_secret" in request.POST
            or "HTTP_AUTHORIZATION" in request.META
            or (client is not None and not client.is_registration)
        ):
            # Agents with a secret use client credentials; keep their answer what it always was.
            return oauth_error("unsupported_grant_type", UNSUPPORTED_GRANT)
        _, headers, body, status = self.create_token_response(request)
        response = HttpResponse(body, status=status, content_type="application/json")
        for name, value in headers.items():
            if name.lower() != "content-type":
                response[name] = value
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


class AgentRevokeView(OAuthLibMixin, APIView):
    """``POST /api/oauth/revoke`` (RFC 7009): an agent hands back an access token it is done with.

    The agent authenticates exactly as at the token endpoint (the same validator, the same rate-limit
    buckets where it is mounted). DOT deletes the token only if it was issued to that agent; an unknown,
    expired, already revoked or another agent's token is a 200 too (RFC 7009 §2.2), so the answer
    reveals nothing about tokens the caller does not hold.
    """

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes: list[Any] = []
    parser_classes = [FormParser, MultiPartParser]

    @extend_schema(
        operation_id="oauth_revoke",
        summary="Revoke an access token (RFC 7009): the agent logs out",
        request={"application/x-www-form-urlencoded": RevokeRequestInput},
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="Revoked, or there was nothing of this agent's to revoke (an empty object).",
            ),
            400: OpenApiResponse(OAuthErrorOutput, description="invalid_request or unsupported_token_type"),
            401: OpenApiResponse(OAuthErrorOutput, description="invalid_client"),
        },
        auth=[],
    )
    def post(self, request: Request) -> HttpResponse:
        django_request = request._request
        django_request.sensitive_post_parameters = ["client_secret", "token"]
        refusal = form_refusal(django_request)
        if refusal is not None:
            return refusal
        _, headers, body, status = self.create_revocation_response(django_request)
        if status == 200:
            # RFC 7009 §2.2: clients ignore the body; an empty object keeps /api/ answers JSON.
            response = JsonResponse({})
        else:
            response = HttpResponse(body, status=status, content_type="application/json")
        return oauthlib_response(response, headers)


class AgentMeView(StrictQueryMixin, APIView):
    """``GET /api/agent/me``: lets an agent (or a script) check its credentials and see who it acts as."""

    @extend_schema(
        operation_id="agent_me",
        # The envelope for each error, 400 included: an unknown query parameter (StrictQueryMixin).
        responses=responses({200: AgentMeOutput}, *READ_ERRORS),
    )
    def get(self, request: Request) -> Response:
        actor = actor_from_request(request)
        body = {"agent": actor.agent, "user": actor.user, "organization": actor.organization}
        return Response(AgentMeOutput(body).data)
