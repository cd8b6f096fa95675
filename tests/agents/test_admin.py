"""The admin for agents, secrets and API keys: shown-once secrets, actions calling the services, org scope."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from apps.agents.models import Agent, AgentSecret, ApiKey
from tests.agents.test_storage import all_raw_rows
from tests.fixtures.auth import AgentCredentials, issue_token

ACTION_URL = "/admin/agents/{model}/"


def shown_secret(response: Any, prefix: str = "tcs_") -> str:
    match = re.search(rf"({prefix}[A-Za-z0-9_-]{{40,}})", response.content.decode())
    assert match, "the secret is not on the page"
    return match.group(1)


def run_action(client: Client, model: str, action: str, pks: list[Any]) -> Any:
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"}
    return client.post(ACTION_URL.format(model=model), data)


def test_creating_an_agent_shows_its_secret_once_with_a_curl_command(
    org_admin: Client, owner: Any, teammate: Any
) -> None:
    response = org_admin.post("/admin/agents/agent/add/", {"name": "Tom's Cursor", "user": teammate.pk})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # the admin's never_cache
    agent = Agent.objects.get(name="Tom's Cursor")
    assert agent.user == teammate and agent.organization == owner.membership.organization
    secret = shown_secret(response)
    page = response.content.decode()
    assert "curl -X POST http://testserver/api/oauth/token" in page
    assert f"client_id={agent.client_id}" in page
    issue_token(AgentCredentials(agent, agent.client_id, secret))
    # Shown, not stored: not in a message cookie, the session table or anywhere else.
    assert secret not in str(response.cookies)
    assert not any(secret in row for row in all_raw_rows())
    # The agent page never shows it again.
    assert secret not in org_admin.get(f"/admin/agents/agent/{agent.pk}/change/").content.decode()


def test_rotate_action_adds_a_secret_and_both_work(org_admin: Client, owner_agent: AgentCredentials) -> None:
    response = run_action(org_admin, "agent", "rotate_secret", [owner_agent.agent.pk])

    new_secret = shown_secret(response)
    assert new_secret != owner_agent.client_secret
    assert AgentSecret.objects.filter(agent=owner_agent.agent, revoked_at=None).count() == 2
    issue_token(owner_agent)
    issue_token(AgentCredentials(owner_agent.agent, owner_agent.client_id, new_secret))


def test_revoke_action_stops_the_secret_and_its_tokens(
    org_admin: Client, owner_agent: AgentCredentials
) -> None:
    token = issue_token(owner_agent)
    secret = AgentSecret.objects.get(agent=owner_agent.agent)

    run_action(org_admin, "agentsecret", "revoke", [secret.pk])

    assert AgentSecret.objects.get(pk=secret.pk).revoked_at is not None
    response = APIClient().get("/api/agent/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json()["code"] == "SECRET_REVOKED"


def test_deactivate_and_reactivate_actions(org_admin: Client, owner_agent: AgentCredentials) -> None:
    token = issue_token(owner_agent)
    me = lambda: APIClient().get("/api/agent/me", HTTP_AUTHORIZATION=f"Bearer {token}")  # noqa: E731

    run_action(org_admin, "agent", "deactivate", [owner_agent.agent.pk])
    assert me().status_code == 403
    assert "Deactivated 1 agent." in org_admin.get("/admin/agents/agent/").content.decode()
    run_action(org_admin, "agent", "reactivate", [owner_agent.agent.pk])
    assert me().status_code == 200


def test_agent_list_shows_last_used_times(org_admin: Client, owner_agent: AgentCredentials) -> None:
    issue_token(owner_agent)
    page = org_admin.get("/admin/agents/agent/").content.decode()
    assert "Last used at" in page
    assert owner_agent.client_id in page


def test_org_admins_see_only_their_organizations_agents(
    org_admin: Client, owner_agent: AgentCredentials, outsider_agent: AgentCredentials, outsider: Any
) -> None:
    listing = org_admin.get("/admin/agents/agent/").content.decode()
    assert owner_agent.client_id in listing
    assert outsider_agent.client_id not in listing
    assert org_admin.get(f"/admin/agents/agent/{outsider_agent.agent.pk}/change/").status_code == 302
    outsider_secret = AgentSecret.objects.get(agent=outsider_agent.agent)
    assert outsider_secret.prefix not in org_admin.get("/admin/agents/agentsecret/").content.decode()

    # Actions on another organization's rows do nothing (the queryset is scoped).
    run_action(org_admin, "agent", "deactivate", [outsider_agent.agent.pk])
    assert Agent.objects.get(pk=outsider_agent.agent.pk).active
    run_action(org_admin, "agentsecret", "revoke", [outsider_secret.pk])
    assert AgentSecret.objects.get(pk=outsider_secret.pk).revoked_at is None

    # And an agent cannot be created for someone outside the organization.
    response = org_admin.post("/admin/agents/agent/add/", {"name": "Sneaky", "user": outsider.pk})
    assert response.status_code == 200
    assert not Agent.objects.filter(name="Sneaky").exists()
    assert "Select a valid choice" in response.content.decode()


def test_creating_an_api_key_shows_it_once_and_it_works(org_admin: Client, teammate: Any) -> None:
    response = org_admin.post("/admin/agents/apikey/add/", {"name": "Exporter", "user": teammate.pk})

    key = shown_secret(response, prefix="tak_")
    assert ApiKey.objects.get(name="Exporter").user == teammate
    answer = APIClient().get("/api/agent/me", HTTP_X_API_KEY=key)
    assert answer.status_code == 200
    assert answer.json()["user"] == {"username": teammate.username}

    run_action(org_admin, "apikey", "revoke", [ApiKey.objects.get(name="Exporter").pk])
    assert APIClient().get("/api/agent/me", HTTP_X_API_KEY=key).status_code == 401


def test_superuser_gets_a_form_error_for_an_owner_without_organization(db: None) -> None:
    from django.contrib.auth import get_user_model

    from tests.conftest import make_user

    root = get_user_model().objects.create_superuser("root", password="pw-root")
    loner = make_user("loner", None)
    client = Client()
    client.force_login(root)

    response = client.post("/admin/agents/agent/add/", {"name": "Orphan", "user": loner.pk})

    assert response.status_code == 200
    assert "belongs to no organization" in response.content.decode()
    assert not Agent.objects.exists()
