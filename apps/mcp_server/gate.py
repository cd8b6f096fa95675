"""What stands in front of the MCP SDK's handler at /mcp: host and origin checks, then the bearer token.

The SDK's own ``AuthSettings`` takes one fixed resource URL; Teeckin answers on every host in
``ALLOWED_HOSTS`` and derives its OAuth documents from the request (as django-oauth-toolkit does), so the
gate derives the resource (``<origin>/mcp``) and the metadata URL it names in challenges from the request
too. It reuses the SDK's authenticated-user types, so ``get_access_token()`` and the request scope carry
the caller into the tools.

Only tokens issued for this MCP endpoint pass (RFC 8707 audience): authorization-code tokens (always
bound to it, see apps.agents.oauth_views) and client-credentials tokens asked for with
``resource=<origin>/mcp``. A REST token is refused with 401, as is an expired, unknown or revoked one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from django.http import HttpRequest
from django.http.request import split_domain_port, validate_host
from django.utils import timezone
from mcp.server.auth.middleware.auth_context import auth_context_var
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken as McpAccessToken
from oauth2_provider.models import get_access_token_model
from starlette.authentication import AuthCredentials
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from apps.agents.credentials import credential_digest
from apps.agents.models import Agent
from apps.agents.oauth_views import MCP_PATH, MCP_SCOPES, canonical_resource
from apps.agents.services import credential_mark_used
from apps.ratelimits.buckets import Usage, count_api_request

METADATA_PATH = "/.well-known/oauth-protected-resource" + MCP_PATH
REQUIRED_SCOPE = MCP_SCOPES[0]


class TeeckinAccessToken(McpAccessToken):
    """The SDK's access-token record plus who the call acts for (ids only: tools load fresh rows)."""

    agent_id: int
    user_id: int


@dataclass(frozen=True)
class Refusal:
    status: int
    error: str
    description: str


def request_origin(scope: Scope) -> str:
    """``scheme://host[:port]`` as the client addressed this server (Django's rules for the scheme)."""
    headers = Headers(scope=scope)
    scheme = scope.get("scheme", "http")
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header:
        name, value = proxy_header
        header = name.removeprefix("HTTP_").replace("_", "-").lower()
        if headers.get(header, "").split(",")[0].strip() == value:
            scheme = "https"
    return f"{scheme}://{headers.get('host', '')}"


def host_allowed(host: str) -> bool:
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def origin_allowed(origin: str) -> bool:
    """An Origin header (browser-based clients) must name one of our hosts: DNS-rebinding protection."""
    try:
        hostname = urlsplit(origin).hostname
    except ValueError:
        return False
    return bool(hostname) and validate_host(hostname, settings.ALLOWED_HOSTS)


def _verify(raw_token: str, resource: str) -> TeeckinAccessToken | Refusal:
    """Look the token up by digest and decide who it acts for. Runs in Django's sync thread."""
    close_old_connections()
    try:
        return _verify_in_db(raw_token, resource)
    finally:
        close_old_connections()


def _invalid(description: str) -> Refusal:
    return Refusal(401, "invalid_token", description)


def _verify_in_db(raw_token: str, resource: str) -> TeeckinAccessToken | Refusal:
    token = (
        get_access_token_model()
        .objects.select_related("application__user__membership", "origin__secret")
        .filter(token_checksum=credential_digest(raw_token))
        .first()
    )
    if token is None or not isinstance(token.application, Agent):
        return _invalid("Unknown access token.")
    if token.is_expired():
        return _invalid("The access token has expired.")
    if canonical_resource(resource) not in {canonical_resource(uri) for uri in token.resource or []}:
        return _invalid(
            "This access token was not issued for this MCP endpoint: ask for it with resource=" + resource
        )
    client: Agent = token.application
    if client.kind == "interactive":
        # Issued to a client registration for the person who consented: their agent for that client.
        agent = (
            Agent.objects.select_related("user__membership")
            .filter(registration=client, user_id=token.user_id)
            .first()
        )
    else:
        agent = client
        origin = getattr(token, "origin", None)
        if origin is None or origin.secret.revoked_at is not None:
            return _invalid("The secret that issued this access token was revoked.")
    if agent is None or not agent.active:
        return _invalid("This agent was revoked or deactivated; sign in again.")
    user = agent.user
    membership = getattr(user, "membership", None) if user is not None else None
    if user is None or not user.is_active or membership is None:
        return _invalid("The agent's owner can no longer use Teeckin.")
    if membership.organization_id != agent.organization_id:
        return _invalid("The agent's owner is no longer a member of its organization.")
    if not token.allow_scopes([REQUIRED_SCOPE]):
        return Refusal(403, "insufficient_scope", f"The MCP endpoint needs the '{REQUIRED_SCOPE}' scope.")
    now = timezone.now()
    credential_mark_used(credential=agent, now=now)
    if agent.pk != client.pk:
        credential_mark_used(credential=client, now=now)
    return TeeckinAccessToken(
        token=raw_token,
        client_id=client.client_id,
        scopes=token.scope.split(),
        expires_at=int(token.expires.timestamp()),
        resource=resource,
        subject=str(user.pk),
        agent_id=agent.pk,
        user_id=user.pk,
    )


verify_token = sync_to_async(_verify, thread_sensitive=True)


def _count_anonymous(scope: Scope) -> Usage | None:
    """Count a refused request in the "anonymous" bucket of its IP address; the refusal, if over."""
    request = HttpRequest()
    request.method = scope.get("method", "POST")
    request.META = {
        f"HTTP_{name.decode('latin-1').upper().replace('-', '_')}": value.decode("latin-1")
        for name, value in scope.get("headers", [])
    }
    client = scope.get("client")
    request.META["REMOTE_ADDR"] = client[0] if client else ""
    request.user = None
    request.auth = None
    return count_api_request(request).refusal


count_anonymous = sync_to_async(_count_anonymous, thread_sensitive=True)


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]]
) -> None:
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


class McpGate:
    """ASGI wrapper: refuse foreign hosts and origins, then authenticate; every 401 names the metadata."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not host_allowed(headers.get("host", "")):
            await _send_json(send, 421, {"error": "invalid_host", "error_description": "Unknown host."}, [])
            return
        origin = headers.get("origin")
        if origin is not None and not origin_allowed(origin):
            body = {"error": "invalid_origin", "error_description": "Requests from this origin are refused."}
            await _send_json(send, 403, body, [])
            return

        base = request_origin(scope)
        resource = base + MCP_PATH
        scheme, _, raw = headers.get("authorization", "").partition(" ")
        raw = raw.strip()
        if scheme.lower() != "bearer" or not raw:
            outcome: TeeckinAccessToken | Refusal = Refusal(401, "", "Authentication required.")
        else:
            outcome = await verify_token(raw, resource)
        if isinstance(outcome, Refusal):
            # Counted like the REST API's failed requests: per IP address in "anonymous".
            refusal = await count_anonymous(scope)
            if refusal is not None:
                body = {
                    "error": "rate_limited",
                    "error_description": f"Rate limit exceeded: {refusal.description}.",
                }
                await _send_json(send, 429, body, [(b"retry-after", str(refusal.reset).encode())])
                return
            await self._challenge(send, base, outcome)
            return

        user = AuthenticatedUser(outcome)
        scope = {**scope, "user": user, "auth": AuthCredentials(outcome.scopes)}
        context_token = auth_context_var.set(user)
        try:
            await self.app(scope, receive, send)
        finally:
            auth_context_var.reset(context_token)

    async def _challenge(self, send: Send, base: str, refusal: Refusal) -> None:
        # RFC 9728 §5.1 / MCP authorization: the challenge says where to learn how to get a token.
        parts = [f'resource_metadata="{base}{METADATA_PATH}"', f'scope="{REQUIRED_SCOPE}"']
        if refusal.error:
            parts += [f'error="{refusal.error}"', f'error_description="{refusal.description}"']
        challenge = "Bearer " + ", ".join(parts)
        body = {"error": refusal.error or "invalid_token", "error_description": refusal.description}
        await _send_json(send, refusal.status, body, [(b"www-authenticate", challenge.encode())])
