"""OAuth scopes (RFC 6749 §3.3): what an agent may be granted, what the token endpoint grants, and the
"agent" scope every agent endpoint needs. The "webhooks" scope on /api/webhooks: tests/webhooks."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from oauth2_provider.models import AccessToken
from rest_framework.test import APIClient

from apps.agents.credentials import credential_digest
from apps.agents.models import Agent
from apps.agents.services import agent_create, agent_scopes_set
from apps.core.errors import ValidationFailed
from tests.fixtures.auth import (
    TOKEN_URL,
    AgentCredentials,
    api_client_for,
    issue_token,
    make_agent,
    token_form,
)


def token_response(credentials: AgentCredentials, scope: str | None) -> Any:
    return APIClient().post(TOKEN_URL, token_form(credentials, scope), format="multipart")


def granted_scope(access_token: str) -> str:
    return AccessToken.objects.get(token_checksum=credential_digest(access_token)).scope


@pytest.fixture
def integration(owner: Any) -> AgentCredentials:
    return make_agent(owner, "Owner's integration", scopes=["webhooks"])


def test_agents_are_allowed_only_agent_unless_told_otherwise(owner: Any) -> None:
    agent, _ = agent_create(user=owner, name="Plain")
    assert agent.allowed_scopes == "agent"


def test_allowed_scopes_always_include_agent_in_a_fixed_order(owner: Any) -> None:
    agent, _ = agent_create(user=owner, name="Hooks", scopes=["webhooks"])
    assert agent.allowed_scopes == "agent webhooks"
    agent_scopes_set(agent=agent, scopes=["webhooks", "agent", "webhooks"])
    agent.refresh_from_db()
    assert agent.allowed_scopes == "agent webhooks"
    agent_scopes_set(agent=agent, scopes=[])
    agent.refresh_from_db()
    assert agent.allowed_scopes == "agent"


def test_an_unknown_scope_is_refused(owner: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        agent_create(user=owner, name="Greedy", scopes=["agent", "admin"])
    assert refused.value.code == "UNKNOWN_SCOPE" and refused.value.details["scope"] == "admin"
    assert not Agent.objects.filter(name="Greedy").exists()


@pytest.mark.parametrize(
    "scope,granted",
    [
        (None, "agent"),
        ("agent", "agent"),
        ("webhooks", "webhooks"),
        ("agent webhooks", "agent webhooks"),
    ],
)
def test_the_token_gets_exactly_the_requested_scope(
    integration: AgentCredentials, scope: Any, granted: str
) -> None:
    response = token_response(integration, scope)
    assert response.status_code == 200, response.content
    # The spec's answer, field for field, whatever was asked (RFC 6749 §5.1: same scope as requested).
    assert set(response.json()) == {"access_token", "token_type", "expires_in"}
    assert granted_scope(response.json()["access_token"]) == granted


# An empty scope is not an absent one: RFC 6749 §3.3's syntax has at least one scope-token.
@pytest.mark.parametrize("scope", ["webhooks", "agent webhooks", "admin", "agent admin", "read write", ""])
def test_a_scope_the_agent_is_not_allowed_is_invalid_scope(owner_agent: AgentCredentials, scope: str) -> None:
    response = token_response(owner_agent, scope)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert response["Cache-Control"] == "no-store"
    assert not AccessToken.objects.exists()


def test_a_wrong_secret_is_invalid_client_before_scopes_matter(
    owner_agent: AgentCredentials,
) -> None:
    wrong = AgentCredentials(owner_agent.agent, owner_agent.client_id, "tcs_wrong")
    response = token_response(wrong, "admin")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_withdrawing_a_scope_stops_new_tokens_asking_for_it(integration: AgentCredentials) -> None:
    issue_token(integration, "webhooks")
    agent_scopes_set(agent=integration.agent, scopes=["agent"])
    assert token_response(integration, "webhooks").json()["error"] == "invalid_scope"
    assert token_response(integration, None).status_code == 200


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("get", "/api/agent/topics", None),
        ("get", "/api/agent/timer", None),
        ("post", "/api/agent/timer/start", {"topic": "Project Alpha"}),
        ("get", "/api/v1/topics/for-agent", None),
        ("get", "/api/v1/clocked-times", None),
        ("get", "/api/v1/tags", None),
        ("get", "/api/agent/me", None),
    ],
)
def test_agent_scoped_tokens_work_on_agent_endpoints(
    owner_agent: AgentCredentials, topic: Any, method: str, path: str, body: Any
) -> None:
    client = api_client_for(owner_agent, scope="agent")
    response = getattr(client, method)(path, body, format="json")
    assert response.status_code in (200, 201), response.content


@pytest.mark.parametrize(
    "method,path", [("get", "/api/agent/timer"), ("post", "/api/timer/start"), ("get", "/api/v1/topics")]
)
def test_a_webhooks_only_token_cannot_track_time(
    integration: AgentCredentials, topic: Any, method: str, path: str
) -> None:
    client = api_client_for(integration, scope="webhooks")
    response = getattr(client, method)(path, {"topic": "Project Alpha"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "INSUFFICIENT_SCOPE"
    assert response.json()["details"] == {"requiredScope": "agent", "tokenScopes": ["webhooks"]}
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]
    assert 'scope="agent"' in response["WWW-Authenticate"]


def test_agent_me_takes_a_token_of_any_scope(integration: AgentCredentials) -> None:
    response = api_client_for(integration, scope="webhooks").get("/api/agent/me")
    assert response.status_code == 200


def test_createagent_takes_scopes(owner: Any) -> None:
    out = StringIO()
    call_command(
        "createagent", "--user", owner.username, "--name", "Hooks", "--scopes", "webhooks", stdout=out
    )
    printed = json.loads(out.getvalue())
    agent = Agent.objects.get(client_id=printed["client_id"])
    assert agent.allowed_scopes == "agent webhooks"
    issue_token(AgentCredentials(agent, printed["client_id"], printed["client_secret"]), "webhooks")


def test_createagent_refuses_an_unknown_scope(owner: Any) -> None:
    with pytest.raises(CommandError, match="Unknown scope 'admin'"):
        call_command(
            "createagent",
            "--user",
            owner.username,
            "--name",
            "X",
            "--scopes",
            "agent,admin",
            stdout=StringIO(),
        )
    assert not Agent.objects.exists()


def test_the_admin_creates_an_agent_with_scopes(org_admin: Client, owner: Any) -> None:
    response = org_admin.post(
        "/admin/agents/agent/add/", {"name": "Hooks", "user": owner.pk, "scopes": ["webhooks"]}
    )
    assert response.status_code == 200
    assert Agent.objects.get(name="Hooks").allowed_scopes == "agent webhooks"


def test_the_admin_add_page_offers_the_scopes(org_admin: Client) -> None:
    page = org_admin.get("/admin/agents/agent/add/").content.decode()
    assert 'name="scopes" value="agent"' in page and 'name="scopes" value="webhooks"' in page


def test_the_admin_changes_an_agents_scopes(org_admin: Client, owner_agent: AgentCredentials) -> None:
    url = f"/admin/agents/agent/{owner_agent.agent.pk}/change/"
    # The secrets inline is read-only, but the change form still posts its management form.
    inline = {"secrets-TOTAL_FORMS": "0", "secrets-INITIAL_FORMS": "0"}
    response = org_admin.post(url, {"name": "Renamed", "scopes": ["agent", "webhooks"], **inline})
    assert response.status_code == 302
    owner_agent.agent.refresh_from_db()
    assert owner_agent.agent.allowed_scopes == "agent webhooks" and owner_agent.agent.name == "Renamed"
    issue_token(owner_agent, "webhooks")

    assert org_admin.post(url, {"name": "Renamed", "scopes": [], **inline}).status_code == 302
    owner_agent.agent.refresh_from_db()
    assert owner_agent.agent.allowed_scopes == "agent"
