"""Interactive agents (browser OAuth): consent, revocation, the admin list, pruning of unused registrations,
and the consent and login pages as a browser without JavaScript sees them (CSRF enforced)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_refresh_token_model, set_token_value

from apps.agents.models import Agent, redirect_uri_acceptable
from apps.agents.oauth_views import canonical_resource
from apps.agents.services import (
    interactive_agent_consent,
    interactive_agent_revoke,
    registrations_prune_unused,
)
from apps.agents.tasks import registrations_prune_unused_task
from apps.core.errors import ValidationFailed
from tests.agents.test_admin import run_action
from tests.conftest import INLINE_SCRIPT
from tests.fixtures.asgi_server import form_fields, pkce_pair
from tests.fixtures.auth import AgentCredentials


def make_registration(
    name: str = "Claude Code on laptop", redirect: str = "http://127.0.0.1/callback"
) -> Agent:
    """A client registration as dynamic registration stores it (public, authorization code, no owner)."""
    registration = Agent(
        name=name,
        redirect_uris=redirect,
        client_type=Agent.CLIENT_PUBLIC,
        authorization_grant_type=Agent.GRANT_AUTHORIZATION_CODE,
        registration_source=Agent.RegistrationSource.DCR,
    )
    registration.full_clean()
    registration.save()
    return registration


def issue_pair(registration: Agent, user: Any) -> tuple[Any, Any]:
    access = get_access_token_model()(
        application=registration,
        user=user,
        scope="agent",
        expires=timezone.now() + timedelta(hours=1),
        resource=["http://testserver/mcp"],
    )
    set_token_value(access, "tat_" + "a" * 43)
    access.save()
    refresh = get_refresh_token_model()(application=registration, user=user, access_token=access)
    set_token_value(refresh, "trt_" + "r" * 43)
    refresh.save()
    return access, refresh


def test_consent_creates_one_agent_per_person_and_client_and_revocation_kills_its_tokens(
    owner: Any, teammate: Any
) -> None:
    registration = make_registration()
    agent = interactive_agent_consent(registration=registration, user=owner)
    assert interactive_agent_consent(registration=registration, user=owner).pk == agent.pk
    other = interactive_agent_consent(registration=registration, user=teammate)
    assert other.pk != agent.pk
    assert (agent.kind, agent.name, agent.organization) == (
        "interactive",
        "Claude Code on laptop",
        owner.membership.organization,
    )
    assert not agent.is_usable(None)  # never an OAuth client itself: its registration is
    issue_pair(registration, owner)
    issue_pair_for_teammate = get_access_token_model().objects.create(
        application=registration, user=teammate, scope="agent", expires=timezone.now() + timedelta(hours=1)
    )

    interactive_agent_revoke(agent=agent)

    agent.refresh_from_db()
    assert agent.active is False
    assert not get_access_token_model().objects.filter(application=registration, user=owner).exists()
    assert not get_refresh_token_model().objects.filter(application=registration, user=owner).exists()
    # Another person's consent to the same client is untouched.
    assert get_access_token_model().objects.filter(pk=issue_pair_for_teammate.pk).exists()
    # Signing in again reactivates the same agent (its entries stay together).
    assert interactive_agent_consent(registration=registration, user=owner).active is True


def test_secret_agents_are_not_revoked_as_interactive(owner_agent: AgentCredentials) -> None:
    assert owner_agent.agent.kind == "secret"
    with pytest.raises(ValidationFailed):
        interactive_agent_revoke(agent=owner_agent.agent)


def test_the_admin_lists_interactive_agents_beside_secret_ones_and_revokes_them(
    org_admin: Client, owner: Any, owner_agent: AgentCredentials
) -> None:
    registration = make_registration()
    agent = interactive_agent_consent(registration=registration, user=owner)
    Agent.objects.filter(pk=agent.pk).update(last_used_at=timezone.now())
    issue_pair(registration, owner)

    page = org_admin.get("/admin/agents/agent/").content.decode()
    assert "interactive (browser sign-in)" in page and "Owner&#x27;s Claude Code" in page
    assert agent.client_id in page and registration.client_id not in page  # the agent, not its registration

    run_action(org_admin, "agent", "revoke_interactive", [agent.pk, owner_agent.agent.pk])

    agent.refresh_from_db()
    owner_agent.agent.refresh_from_db()
    assert agent.active is False and owner_agent.agent.active is True
    assert not get_access_token_model().objects.filter(application=registration).exists()


def test_unused_registrations_are_pruned_after_a_day(owner: Any) -> None:
    unused_old = make_registration("old")
    consented_old = make_registration("consented")
    fresh = make_registration("fresh")
    day_ago = timezone.now() - timedelta(days=1, minutes=1)
    Agent.objects.filter(pk__in=[unused_old.pk, consented_old.pk]).update(created=day_ago)
    interactive_agent_consent(registration=consented_old, user=owner)

    assert registrations_prune_unused_task() == 1

    assert not Agent.objects.filter(pk=unused_old.pk).exists()
    assert Agent.objects.filter(pk__in=[consented_old.pk, fresh.pk]).count() == 2
    assert registrations_prune_unused() == 0


@pytest.mark.parametrize(
    ("uri", "ok"),
    [
        ("http://127.0.0.1:4000/callback", True),
        ("http://localhost/callback", True),
        ("http://[::1]:9/cb", True),
        ("https://app.example/cb", True),
        ("http://app.example/cb", False),
        ("http://10.0.0.1/cb", False),
        ("myapp://cb", False),
    ],
)
def test_redirect_uri_rules(uri: str, ok: bool) -> None:
    assert redirect_uri_acceptable(uri) is ok


def test_resources_compare_as_urls() -> None:
    assert canonical_resource("HTTP://Example.com:80/mcp/") == "http://example.com/mcp"
    assert canonical_resource("https://example.com:443/mcp") == canonical_resource("https://example.com/mcp")
    assert canonical_resource("https://example.com:8443/mcp") != canonical_resource("https://example.com/mcp")


def _authorize_path(registration: Agent) -> str:
    _, challenge = pkce_pair()
    return (
        f"/oauth/authorize/?response_type=code&client_id={registration.client_id}"
        "&redirect_uri=http://127.0.0.1:5555/callback&state=x"
        f"&code_challenge={challenge}&code_challenge_method=S256"
    )


def test_a_person_signs_in_then_sees_only_the_consent_page(owner: Any) -> None:
    registration = make_registration()
    browser = Client(enforce_csrf_checks=True)
    to_login = browser.get(_authorize_path(registration))
    assert to_login.status_code == 302 and to_login["Location"].startswith("/accounts/login/?next=")
    login_page = browser.get(to_login["Location"])
    fields = form_fields(login_page.content.decode())
    assert "csrfmiddlewaretoken" in fields and not INLINE_SCRIPT.search(login_page.content.decode())
    # Without the CSRF token the sign-in is refused.
    assert (
        browser.post("/accounts/login/", {"username": "olivia", "password": "pw-olivia"}).status_code == 403
    )
    signed_in = browser.post("/accounts/login/", {**fields, "username": "olivia", "password": "pw-olivia"})
    assert signed_in.status_code == 302
    consent = browser.get(signed_in["Location"])
    page = consent.content.decode()
    assert consent.status_code == 200
    assert "Claude Code on laptop wants to track time as you in Acme" in page
    assert "Allow" in page and "Deny" in page and 'name="password"' not in page
    assert "style=" not in page and not INLINE_SCRIPT.search(page)
    # Already signed in: straight to the consent page.
    assert browser.get(_authorize_path(registration)).status_code == 200


def test_a_person_without_an_organization_cannot_consent(db: None) -> None:
    from tests.conftest import make_user

    make_user("loner", None)
    registration = make_registration()
    browser = Client()
    browser.login(username="loner", password="pw-loner")
    refused = browser.get(_authorize_path(registration))
    assert refused.status_code == 403
    assert "belongs to no organization" in refused.content.decode()


def test_an_interactive_agent_is_renamed_in_the_admin_without_scope_choices(
    org_admin: Client, owner: Any
) -> None:
    agent = interactive_agent_consent(registration=make_registration(), user=owner)
    url = f"/admin/agents/agent/{agent.pk}/change/"
    page = org_admin.get(url).content.decode()
    assert 'name="scopes"' not in page
    saved = org_admin.post(url, {"name": "Claude Code at work", "default_topic": ""})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    agent.refresh_from_db()
    assert agent.name == "Claude Code at work" and agent.allowed_scopes == "agent"


def test_nul_characters_are_refused_not_a_500(owner: Any) -> None:
    browser = Client(raise_request_exception=False)
    browser.force_login(owner)
    page = browser.get(
        "/oauth/authorize/?response_type=code&client_id=a%00b&redirect_uri=http://127.0.0.1/cb"
    )
    assert page.status_code == 400 and "NUL" in page.content.decode()
    for grant in ("authorization_code", "refresh_token"):
        answer = Client().post(
            "/api/oauth/token",
            {"grant_type": grant, "client_id": "x", "code": "a\x00b", "refresh_token": "t\x00"},
        )
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
