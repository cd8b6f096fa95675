"""/api/webhooks and the "webhooks" OAuth scope: an agent's token needs it, on top of an admin owner.
Personal API keys and browser sessions of admins need only the role."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.agents.services import api_key_create
from apps.webhooks.models import WebhookEndpoint
from apps.webhooks.subscriptions import endpoint_create
from tests.fixtures.auth import TOKEN_URL, api_client_for, make_agent, token_form
from tests.webhooks.conftest import HOOK_SCOPES, hooks_client


@pytest.fixture
def url(httpserver: Any) -> str:
    return httpserver.url_for("/hook")


def subscribe(client: APIClient, url: str) -> Any:
    return client.post("/api/v1/webhooks", {"url": url, "events": ["time_entry.started"]}, format="json")


def assert_insufficient_scope(response: Any, granted: list[str]) -> None:
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "INSUFFICIENT_SCOPE" and "webhooks" in body["error"]
    assert body["details"] == {"requiredScope": "webhooks", "tokenScopes": granted}
    # RFC 6750 §3: the challenge says what is missing.
    assert (
        response["WWW-Authenticate"] == 'Bearer realm="teeckin", error="insufficient_scope", scope="webhooks"'
    )


def test_a_token_with_the_scope_from_the_token_endpoint_manages_webhooks(
    owner: Any, org: Any, url: str
) -> None:
    credentials = make_agent(owner, "Zapier bridge", scopes=HOOK_SCOPES)
    issued = APIClient().post(TOKEN_URL, token_form(credentials, "webhooks"), format="multipart")
    assert issued.status_code == 200
    assert set(issued.json()) == {"access_token", "token_type", "expires_in"}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.json()['access_token']}")

    created = subscribe(client, url)
    assert created.status_code == 201
    listed = client.get("/api/v1/webhooks")
    assert listed.status_code == 200
    assert [hook["id"] for hook in listed.json()["webhooks"]] == [created.json()["id"]]
    assert WebhookEndpoint.objects.get().organization == org


def test_a_token_with_both_scopes_tracks_time_and_manages_webhooks(owner: Any, topic: Any, url: str) -> None:
    client = api_client_for(make_agent(owner, "Both", scopes=HOOK_SCOPES), scope="agent webhooks")
    assert subscribe(client, url).status_code == 201
    assert client.post("/api/agent/timer/start", {"topic": "Project Alpha"}, format="json").status_code == 201


def test_an_agent_not_allowed_the_scope_gets_no_such_token(owner_agent: Any) -> None:
    response = APIClient().post(TOKEN_URL, token_form(owner_agent, "webhooks"), format="multipart")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def test_an_admins_ordinary_agent_token_is_refused(owner_api: APIClient, url: str) -> None:
    assert_insufficient_scope(subscribe(owner_api, url), ["agent"])
    assert_insufficient_scope(owner_api.get("/api/webhooks"), ["agent"])
    assert WebhookEndpoint.objects.count() == 0


def test_being_allowed_the_scope_is_not_enough_the_token_must_carry_it(owner: Any, url: str) -> None:
    client = api_client_for(make_agent(owner, "Hooks", scopes=HOOK_SCOPES))  # asks for no scope: "agent"
    assert_insufficient_scope(subscribe(client, url), ["agent"])


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_every_operation_needs_the_scope(owner_api: APIClient, org: Any, url: str, method: str) -> None:
    endpoint, _ = endpoint_create(organization=org, url=url, events=["project.created"])
    response = getattr(owner_api, method)(f"/api/webhooks/{endpoint.id}", {"active": False}, format="json")
    assert_insufficient_scope(response, ["agent"])
    endpoint.refresh_from_db()
    assert endpoint.active is True


def test_without_the_scope_another_organizations_id_is_refused_the_same_way(
    outsider_api: APIClient, org: Any, url: str
) -> None:
    # The scope is checked before any lookup, so the answer says nothing about the id.
    endpoint, _ = endpoint_create(organization=org, url=url, events=["project.created"])
    assert_insufficient_scope(outsider_api.get(f"/api/webhooks/{endpoint.id}"), ["agent"])
    assert_insufficient_scope(outsider_api.get("/api/webhooks/whk-doesnotexist"), ["agent"])


def test_a_members_agent_with_the_scope_still_needs_an_admin_owner(teammate: Any, url: str) -> None:
    client = hooks_client(teammate, "Tom's hooks")
    response = subscribe(client, url)
    assert response.status_code == 403 and response.json()["code"] == "ADMIN_REQUIRED"


def test_an_admins_personal_api_key_needs_no_scope(owner: Any, teammate: Any, url: str) -> None:
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key_create(user=owner, name="ops").plaintext)
    assert subscribe(client, url).status_code == 201
    assert client.get("/api/webhooks").status_code == 200

    member = APIClient()
    member.credentials(HTTP_X_API_KEY=api_key_create(user=teammate, name="tom").plaintext)
    assert subscribe(member, url).json()["code"] == "ADMIN_REQUIRED"


def test_an_admins_browser_session_needs_no_scope(owner: Any, url: str) -> None:
    client = APIClient()
    client.force_login(owner)
    assert subscribe(client, url).status_code == 201
    assert len(client.get("/api/webhooks").json()["webhooks"]) == 1
