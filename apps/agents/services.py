"""Writes for agents, their secrets, personal API keys and expired tokens.

Plaintext secrets and keys exist only in the return values of the functions that create them: callers show
them once and never store them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model

from apps.agents.credentials import credential_digest, new_api_key, new_client_secret, visible_prefix
from apps.agents.models import Agent, AgentSecret, ApiKey
from apps.core.errors import ValidationFailed
from apps.organizations.models import Membership, Organization
from apps.topics.models import Topic

# How precisely last-used times are kept: coarse enough that steady traffic adds no writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedSecret:
    secret: AgentSecret
    plaintext: str


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    plaintext: str


def _member_organization(user: Any) -> Organization:
    try:
        return user.membership.organization
    except Membership.DoesNotExist:
        message = f"User {user} does not belong to an organization."
        raise ValidationFailed(message, code="NO_ORGANIZATION") from None


def _secret_issue(*, agent: Agent) -> IssuedSecret:
    plaintext = new_client_secret()
    secret = AgentSecret.objects.create(
        agent=agent, prefix=visible_prefix(plaintext), digest=credential_digest(plaintext)
    )
    return IssuedSecret(secret=secret, plaintext=plaintext)


# Every agent may track time: the scope its tokens get when they ask for none.
BASE_SCOPE = "agent"


def scopes_normalize(scopes: Iterable[str]) -> str:
    """The space-separated form stored in ``Agent.allowed_scopes``: known scopes only, "agent" always
    included, in settings order (so the same set is always stored the same way)."""
    known = list(settings.OAUTH2_PROVIDER["SCOPES"])
    wanted = set(scopes) | {BASE_SCOPE}
    unknown = sorted(wanted - set(known))
    if unknown:
        raise ValidationFailed(
            f"Unknown scope {unknown[0]!r}; scopes are: {', '.join(known)}.",
            code="UNKNOWN_SCOPE",
            details={"scope": unknown[0], "known": known},
        )
    return " ".join(scope for scope in known if scope in wanted)


@transaction.atomic
def agent_create(
    *, user: Any, name: str, default_topic: Topic | None = None, scopes: Iterable[str] = (BASE_SCOPE,)
) -> tuple[Agent, IssuedSecret]:
    """Create an agent owned by ``user`` in the user's organization, with its first secret.

    The agent acts as ``user`` for every request made with its tokens; ``scopes`` are the OAuth scopes
    its tokens may ask for ("agent" is always one).
    """
    name = name.strip()
    if not name:
        raise ValidationFailed("An agent needs a name.")
    organization = _member_organization(user)
    if default_topic is not None and default_topic.organization_id != organization.pk:
        raise ValidationFailed("The default topic belongs to another organization.")
    agent = Agent.objects.create(
        user=user,
        organization=organization,
        name=name,
        default_topic=default_topic,
        allowed_scopes=scopes_normalize(scopes),
        client_type=Agent.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Agent.GRANT_CLIENT_CREDENTIALS,
        # DOT's single-secret column is not used to authenticate (AgentSecret is). Store an unguessable,
        # unhashed filler so DOT never spends a PBKDF2 hash on it and an empty secret can never match.
        hash_client_secret=False,
        client_secret="unused!" + secrets.token_hex(32),
    )
    return agent, _secret_issue(agent=agent)


def agent_scopes_set(*, agent: Agent, scopes: Iterable[str]) -> Agent:
    """Change the scopes the agent's future tokens may ask for. Tokens already issued keep theirs until
    they expire (at most an hour); to cut them off sooner, revoke the secret that minted them."""
    agent.allowed_scopes = scopes_normalize(scopes)
    agent.save(update_fields=["allowed_scopes", "updated"])
    return agent


def agent_default_topic_set(*, agent: Agent, default_topic: Topic | None) -> Agent:
    """Set (or clear, with None) the topic the agent's timers use when it names none."""
    if default_topic is not None and default_topic.organization_id != agent.organization_id:
        raise ValidationFailed("The default topic belongs to another organization.")
    agent.default_topic = default_topic
    agent.save(update_fields=["default_topic", "updated"])
    return agent


def agent_secret_rotate(*, agent: Agent) -> IssuedSecret:
    """Add a new secret. Older secrets keep working until revoked, so a running agent can switch over."""
    return _secret_issue(agent=agent)


def agent_secret_revoke(*, secret: AgentSecret, now: datetime | None = None) -> AgentSecret:
    """Revoke a secret: it mints no more tokens, and tokens it minted are refused from the next request."""
    if secret.revoked_at is None:
        secret.revoked_at = now or timezone.now()
        secret.save(update_fields=["revoked_at"])
    return secret


def agent_deactivate(*, agent: Agent) -> Agent:
    """Stop an agent: no new tokens, and its existing tokens are refused (403) from the next request."""
    if agent.active:
        agent.active = False
        agent.save(update_fields=["active", "updated"])
    return agent


def agent_reactivate(*, agent: Agent) -> Agent:
    """Undo a deactivation; tokens issued before it work again until they expire."""
    if not agent.active:
        agent.active = True
        agent.save(update_fields=["active", "updated"])
    return agent


def api_key_create(*, user: Any, name: str) -> IssuedApiKey:
    """A personal API key for ``user`` (``X-API-Key``), returned in plaintext once."""
    name = name.strip()
    if not name:
        raise ValidationFailed("An API key needs a name.")
    organization = _member_organization(user)
    plaintext = new_api_key()
    api_key = ApiKey.objects.create(
        organization=organization,
        user=user,
        name=name,
        prefix=visible_prefix(plaintext),
        digest=credential_digest(plaintext),
    )
    return IssuedApiKey(api_key=api_key, plaintext=plaintext)


def api_key_revoke(*, api_key: ApiKey, now: datetime | None = None) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = now or timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def credential_mark_used(*, credential: Agent | AgentSecret | ApiKey, now: datetime | None = None) -> None:
    """Record a use of an agent, secret or API key, at most once per LAST_USED_RESOLUTION (one UPDATE,
    no read: the caller already holds the row)."""
    now = now or timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at >= LAST_USED_RESOLUTION:
        type(credential).objects.filter(pk=credential.pk).update(last_used_at=now)
        credential.last_used_at = now


def access_tokens_clear_expired(*, now: datetime | None = None) -> int:
    """Delete expired access tokens (their TokenOrigin rows go with them); returns how many.

    Called by ``manage.py clearexpiredtokens`` and meant for a periodic Celery job.
    """
    model = get_access_token_model()
    _, per_model = model.objects.filter(expires__lt=now or timezone.now()).delete()
    return per_model.get(model._meta.label, 0)


# --- Interactive agents (browser OAuth: authorization code + PKCE) -------------------------------------

# A registration nobody consented to within this long is pruned (Claude Code may register on every sign-in).
UNUSED_REGISTRATION_MAX_AGE = timedelta(days=1)
INTERACTIVE_AGENT_FALLBACK_NAME = "MCP client"


@transaction.atomic
def interactive_agent_consent(*, registration: Agent, user: Any) -> Agent:
    """The person's agent for this client registration, created on their first consent.

    A later consent (a new sign-in after a revocation, say) reactivates the same agent, so its entries
    stay together. The agent acts as ``user`` in their organization, like a secret agent acts as its owner.
    """
    organization = _member_organization(user)
    name = (registration.name or INTERACTIVE_AGENT_FALLBACK_NAME).strip()[:255]
    agent = Agent.objects.select_for_update().filter(registration=registration, user=user).first()
    if agent is None:
        agent = Agent.objects.create(
            user=user,
            organization=organization,
            registration=registration,
            name=name,
            allowed_scopes=BASE_SCOPE,
            client_type=Agent.CLIENT_PUBLIC,
            authorization_grant_type=Agent.GRANT_AUTHORIZATION_CODE,
            # Never a credential (see agent_create); tokens are issued to the registration.
            hash_client_secret=False,
            client_secret="unused!" + secrets.token_hex(32),
        )
    elif not agent.active or agent.organization_id != organization.pk:
        agent.active = True
        agent.organization = organization
        agent.save(update_fields=["active", "organization", "updated"])
    credential_mark_used(credential=registration)
    return agent


def _interactive_tokens(agent: Agent) -> tuple[Any, Any]:
    access = get_access_token_model().objects.filter(
        application_id=agent.registration_id, user_id=agent.user_id
    )
    refresh = get_refresh_token_model().objects.filter(
        application_id=agent.registration_id, user_id=agent.user_id
    )
    return access, refresh


@transaction.atomic
def interactive_agent_revoke(*, agent: Agent) -> Agent:
    """Withdraw a person's consent: the agent is deactivated and its access and refresh tokens deleted, so
    the next MCP call answers 401 and a refresh fails; signing in again asks for consent anew."""
    if agent.kind != "interactive" or agent.registration_id is None:
        raise ValidationFailed("Only interactive agents are revoked this way; deactivate a secret agent.")
    access, refresh = _interactive_tokens(agent)
    refresh.delete()
    access.delete()
    agent.active = False
    agent.save(update_fields=["active", "updated"])
    return agent


def registrations_prune_unused(*, now: datetime | None = None) -> int:
    """Delete client registrations older than a day that no person ever consented to; returns how many.

    A pruned client that comes back gets the standard "unknown client" answer and registers again.
    """
    cutoff = (now or timezone.now()) - UNUSED_REGISTRATION_MAX_AGE
    unused = Agent.objects.filter(
        authorization_grant_type=Agent.GRANT_AUTHORIZATION_CODE,
        user__isnull=True,
        organization__isnull=True,
        created__lt=cutoff,
        consented_agents__isnull=True,
    )
    ids = list(unused.values_list("pk", flat=True))
    deleted, _ = Agent.objects.filter(pk__in=ids).delete()
    return len(ids) if deleted else 0
