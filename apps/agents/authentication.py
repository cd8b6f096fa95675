"""DRF authentication for the agent API: ``Authorization: Bearer tat_…`` and ``X-API-Key: tak_…``.

Each request costs ONE query: the token (or key) digest joined to its agent, owner, membership and
organization (and, for tokens, the secret that minted it). ``last_used_at`` is written at most once a
minute per agent or key, so a steady stream of requests adds no writes. Other code reads
``request.user.membership.organization`` and ``request.auth.application`` without further queries.

We do not use DOT's ``OAuth2Authentication``: it cannot tell "deactivated" (403 for the spec) from
"invalid" (401), and its lookup does not reach the owner's organization.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from oauth2_provider.models import get_access_token_model
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from apps.agents.credentials import ACCESS_TOKEN_PREFIX, API_KEY_PREFIX, credential_digest
from apps.agents.models import Agent, AgentSecret, ApiKey, TokenOrigin
from apps.agents.services import credential_mark_used
from apps.core.errors import DomainError, Forbidden
from apps.core.prebuilt import Join, JoinedSelect
from apps.core.request_hints import catalog_version_note, organization_without_webhooks_note
from apps.organizations.models import Membership, Organization

BEARER_REALM = 'Bearer realm="teeckin"'
BEARER_CHALLENGE = f'{BEARER_REALM}, error="invalid_token"'
UNKNOWN_TOKEN = "Invalid access token. Request a new token with your client credentials."
EXPIRED_TOKEN = "The access token has expired. Request a new one with your client credentials."
WRONG_AUDIENCE = (
    "This access token was issued for another resource (the MCP endpoint). Request one without the "
    "resource parameter for the REST API."
)


class InvalidToken(DomainError, exceptions.AuthenticationFailed):
    """401. Also an ``AuthenticationFailed`` so the view sets the challenge (``authenticate_header``)."""

    status_code = 401
    code = "INVALID_TOKEN"


class InsufficientScope(Forbidden):
    """RFC 6750 §3.1 ``insufficient_scope``: 403, with a challenge naming the scope the endpoint needs."""

    code = "INSUFFICIENT_SCOPE"

    def __init__(self, required: str, granted: list[str]) -> None:
        super().__init__(
            f"This access token lacks the '{required}' scope. Ask the token endpoint for scope={required} "
            "(the agent must be allowed it).",
            details={"requiredScope": required, "tokenScopes": granted},
        )
        # DRF's exception handler sends an exception's auth_header as WWW-Authenticate.
        self.auth_header = f'Bearer realm="teeckin", error="insufficient_scope", scope="{required}"'


def token_scope_check(request: Request, scope: str) -> None:
    """Refuse an OAuth access token that does not carry ``scope``. Other credentials (personal API keys,
    browser sessions) act as their user with no scopes involved, so they pass."""
    token = request.auth
    if isinstance(token, get_access_token_model()) and not token.allow_scopes([scope]):
        raise InsufficientScope(scope, token.scope.split())


def _check_owner(user: Any, organization_id: str, what: str) -> None:
    """The credential's user must be active and still in the organization the credential was made for
    (the membership is already joined in, so this costs no query)."""
    if not user.is_active:
        raise Forbidden(f"The {what}'s owner account is disabled.", code="USER_INACTIVE")
    membership = getattr(user, "membership", None)
    if membership is None or membership.organization_id != organization_id:
        raise Forbidden(
            f"The {what}'s owner is no longer a member of its organization.", code="ORGANIZATION_MISMATCH"
        )


# Whether the organization has an active webhook endpoint, asked in the credential lookup: most have none,
# and then a write's events need not read the subscriptions at all. The table is found through the relation
# webhook endpoints declare on Organization, so this app needs no import of the webhooks app.
_WEBHOOK_ENDPOINT = Organization._meta.get_field("webhook_endpoints").related_model
_HAS_WEBHOOKS = (
    f"SELECT EXISTS (SELECT 1 FROM {_WEBHOOK_ENDPOINT._meta.db_table} w "  # noqa: S608 (a table name)
    "WHERE w.organization_id = o.id AND w.active)"
)


# The organization's topic catalog version, asked in the same lookup: timer starts and logged time resolve a
# topic next, and topic matching validates its cached choices against this version (apps.topics.matching)
# instead of reading it again. The model is named through the app registry: no import of the topics app.
def _catalog_version_sql() -> str:
    table = django_apps.get_model("topics", "CatalogVersion")._meta.db_table
    return f"SELECT v.version FROM {table} v WHERE v.organization = o.id"  # noqa: S608 (a table name)


def _token_select() -> JoinedSelect:
    from django.contrib.auth import get_user_model

    return JoinedSelect(
        alias="t",
        model=get_access_token_model(),
        joins=[
            Join("a", Agent, "a.id = t.application_id"),
            Join("u", get_user_model(), "u.id = a.user_id"),
            Join("m", Membership, "m.user_id = u.id", outer=True),
            Join("o", Organization, "o.id = m.organization_id", outer=True),
            Join("g", TokenOrigin, "g.access_token_id = t.id", outer=True),
            Join("s", AgentSecret, "s.id = g.secret_id", outer=True),
        ],
        where="t.token_checksum = %s",
        extras=[("has_webhooks", _HAS_WEBHOOKS), ("catalog_version", _catalog_version_sql())],
    )


_TOKEN_SELECT = _token_select()


def _access_token_load(digest: str) -> Any:
    """The access token with its agent, owner, membership, organization and minting secret: one query,
    related objects wired as ``select_related`` would (``token.application.user.membership.organization``,
    ``token.origin.secret``), or None for an unknown digest."""
    found = _TOKEN_SELECT.fetch([digest])
    if found is None:
        return None
    rows, extras = found
    token, agent, user = rows["t"], rows["a"], rows["u"]
    origin = rows["g"]
    _owner_wire(user, rows["m"], rows["o"], extras)
    agent.user = user
    token.application = agent
    if origin is not None:
        origin.secret = rows["s"]
        token.origin = origin
    else:
        token._state.fields_cache["origin"] = None
    return token


_API_KEY_SELECT = JoinedSelect(
    alias="k",
    model=ApiKey,
    joins=[
        Join("u", ApiKey._meta.get_field("user").related_model, "u.id = k.user_id"),
        Join("m", Membership, "m.user_id = u.id", outer=True),
        Join("o", Organization, "o.id = m.organization_id", outer=True),
    ],
    where="k.digest = %s",
    extras=[("has_webhooks", _HAS_WEBHOOKS), ("catalog_version", _catalog_version_sql())],
)


def _owner_wire(
    user: Any, membership: Membership | None, organization: Organization | None, extras: dict[str, Any]
) -> None:
    if organization is not None:
        if not extras["has_webhooks"]:
            organization_without_webhooks_note(organization.pk)
        # NULL before the organization's first catalog write: "" as apps.topics.catalog reads it.
        catalog_version_note(organization.pk, extras["catalog_version"] or "")
    if membership is not None:
        membership.organization = organization
        user.membership = membership
    else:
        # Cached as missing: ``getattr(user, "membership", None)`` answers None without a query.
        user._state.fields_cache["membership"] = None


def _api_key_load(digest: str) -> ApiKey | None:
    found = _API_KEY_SELECT.fetch([digest])
    if found is None:
        return None
    rows, extras = found
    key, user = rows["k"], rows["u"]
    _owner_wire(user, rows["m"], rows["o"], extras)
    key.user = user
    return key


class AgentTokenAuthentication(BaseAuthentication):
    """Bearer access tokens from /api/oauth/token. ``request.user`` is the agent's owner (a
    client-credentials token carries no user), ``request.auth`` the AccessToken (``.application`` is the
    Agent)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        # RFC 6750 §2.3 query-string tokens end up in logs and browser history: refused outright.
        if "access_token" in request.query_params:
            raise InvalidToken("Send the access token in the Authorization header, not in the URL.")
        header = get_authorization_header(request).decode("latin-1")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer":
            return None  # No bearer credential: another class may authenticate the request.
        token = token.strip()
        if not token.startswith(ACCESS_TOKEN_PREFIX) or " " in token:
            raise InvalidToken("Malformed access token.")

        access_token = _access_token_load(credential_digest(token))
        agent = access_token.application if access_token else None
        if access_token is None or not isinstance(agent, Agent) or agent.user is None:
            raise InvalidToken(UNKNOWN_TOKEN)
        if access_token.is_expired():
            raise InvalidToken(EXPIRED_TOKEN)
        if access_token.resource:
            # RFC 8707: a token asked for another resource (the MCP endpoint) is not valid here.
            raise InvalidToken(WRONG_AUDIENCE)
        if not agent.active:
            raise Forbidden("This agent is deactivated.", code="AGENT_DEACTIVATED")
        origin = getattr(access_token, "origin", None)
        if origin is None:
            raise InvalidToken(UNKNOWN_TOKEN)
        if origin.secret.revoked_at is not None:
            raise Forbidden("The secret that issued this token was revoked.", code="SECRET_REVOKED")
        _check_owner(agent.user, agent.organization_id, "agent")
        credential_mark_used(credential=agent)
        # Share one User instance so request.user.membership and request.auth.application.user agree.
        return agent.user, access_token

    def authenticate_header(self, request: Request) -> str:
        # RFC 6750 §3.1: a request that carried no credential at all gets the bare challenge; error= is
        # for a credential that was presented and refused.
        presented = (
            get_authorization_header(request)
            or request.META.get("HTTP_X_API_KEY")
            or "access_token" in request.query_params
        )
        return BEARER_CHALLENGE if presented else BEARER_REALM


class ApiKeyAuthentication(BaseAuthentication):
    """Personal API keys in ``X-API-Key`` (server-to-server). ``request.user`` is the key's user,
    ``request.auth`` the ApiKey (no agent)."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        raw = request.META.get("HTTP_X_API_KEY")
        if raw is None:
            return None
        raw = raw.strip()
        if not raw.startswith(API_KEY_PREFIX):
            raise InvalidToken("Malformed API key.")
        key = _api_key_load(credential_digest(raw))
        if key is None or key.revoked_at is not None:
            raise InvalidToken("Invalid or revoked API key.")
        _check_owner(key.user, key.organization_id, "API key")
        credential_mark_used(credential=key)
        return key.user, key

    def authenticate_header(self, request: Request) -> str:
        return 'X-API-Key realm="teeckin"'
