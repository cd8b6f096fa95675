"""django-oauth-toolkit's validator adapted to agents: several hashed secrets per agent.

DOT compares a client secret with the one ``Application.client_secret`` column, through Django's password
hasher (PBKDF2, about 270 ms per check). Agents instead hold any number of :class:`AgentSecret` rows
stored as SHA-256 digests, so ``authenticate_client`` is replaced. It serves every DOT endpoint that
authenticates clients (token, revoke, introspect).

Scopes (RFC 6749 §3.3): oauthlib takes the request's space-separated ``scope``, or DOT's DEFAULT_SCOPES
("agent") when there is none, and asks ``validate_scopes``; a refusal is the RFC's ``invalid_scope``
(400). An agent gets exactly what it asked for, or nothing: never a narrowed set, so the token response
need not name the scope (§5.1) and keeps the spec's three fields.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.common import Request as OauthlibRequest

from apps.agents.credentials import CLIENT_SECRET_PREFIX, credential_digest
from apps.agents.models import Agent, AgentSecret, TokenOrigin
from apps.agents.services import credential_mark_used
from apps.core.basic_auth import basic_credentials
from apps.core.prebuilt import Join, JoinedSelect, row_insert


def _client_select() -> JoinedSelect:
    from django.contrib.auth import get_user_model

    return JoinedSelect(
        alias="a",
        model=Agent,
        joins=[
            Join("u", get_user_model(), "u.id = a.user_id"),
            Join("s", AgentSecret, "s.agent_id = a.id AND s.revoked_at IS NULL AND s.digest = %s"),
        ],
        where="a.client_id = %s",
    )


# The agent, its owner and the unrevoked secret presented, in one query (the token endpoint's hot read).
# Finding the secret by its digest is as safe as comparing digests: the digest is SHA-256 of a random
# 256-bit secret, and a timing difference in the index lookup says nothing about any secret.
_CLIENT_SELECT = _client_select()


class AgentOAuth2Validator(OAuth2Validator):
    def authenticate_client(self, request: OauthlibRequest, *args: Any, **kwargs: Any) -> bool:
        credentials = basic_credentials(request.headers.get("HTTP_AUTHORIZATION")) or (
            getattr(request, "client_id", None) or "",
            getattr(request, "client_secret", None) or "",
        )
        client_id, client_secret = credentials
        # Never let a missing secret through (DOT's body authenticator treats it as "").
        if not client_id or not client_secret.startswith(CLIENT_SECRET_PREFIX):
            return False
        # PostgreSQL refuses NUL in text (psycopg 3 raises DataError, which DOT does not catch): no client
        # id we issue has one, so refuse it here rather than answer 500.
        if "\x00" in client_id:
            return False
        # The secret's digest comes first: its placeholder is in the join, before the WHERE.
        found = _CLIENT_SELECT.fetch([credential_digest(client_secret), client_id])
        if found is None:
            return False
        rows, _ = found
        agent, secret = rows["a"], rows["s"]
        agent.user = rows["u"]
        request.client = agent  # DOT's _load_application then only applies Agent.is_usable (active)
        if self._load_application(client_id, request) is None:
            return False
        # A disabled owner account (is_active false) cannot act through its agents: no token to find
        # refused on every use, but invalid_client here, as for a deactivated agent.
        if not agent.user.is_active:
            return False
        request.agent_secret = secret
        return True

    def _load_application(self, client_id: str, request: OauthlibRequest) -> Any:
        # As in authenticate_client: PostgreSQL refuses NUL in text and DOT does not catch the error.
        if client_id and "\x00" in client_id:
            return None
        return super()._load_application(client_id, request)

    def validate_scopes(
        self,
        client_id: str,
        scopes: list[str],
        client: Any,
        request: OauthlibRequest,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        # DOT checks against every scope in settings; an agent may only have those it was allowed. The
        # client is the authenticated agent (authenticate_client runs first).
        if not isinstance(client, Agent):
            return False
        allowed = set(client.allowed_scope_list)
        return (
            super().validate_scopes(client_id, scopes, client, request, *args, **kwargs)
            and set(scopes) <= allowed
        )

    def _create_access_token(self, expires: Any, request: OauthlibRequest, token: dict, **kwargs: Any) -> Any:
        access_token = super()._create_access_token(expires, request, token, **kwargs)
        # Client credentials name the secret that authenticated; a public client (authorization code,
        # refresh token) has none, and its tokens are bound to the consenting person instead.
        secret: AgentSecret | None = getattr(request, "agent_secret", None)
        if secret is not None:
            row_insert(TokenOrigin(access_token=access_token, secret=secret))
            # Issuing a token is a use of the secret and of the agent (both already loaded: no extra query).
            credential_mark_used(credential=secret)
        credential_mark_used(credential=request.client)
        return access_token
