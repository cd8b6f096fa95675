"""The client-credentials flow end to end: real token endpoint, real bearer requests."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from apps.agents.models import AgentSecret
from apps.agents.services import (
    agent_deactivate,
    agent_reactivate,
    agent_secret_revoke,
    agent_secret_rotate,
)
from tests.fixtures.auth import TOKEN_URL, AgentCredentials, issue_token, token_form

ME_URL = "/api/agent/me"


def token_request(client_id: str, client_secret: str, **extra: str) -> Any:
    data = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    return APIClient().post(TOKEN_URL, {**data, **extra}, format="multipart")


def me(token: str) -> Any:
    return APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_token_then_request_acts_as_the_agents_owner(owner_agent: AgentCredentials, owner: Any) -> None:
    response = APIClient().post(
        TOKEN_URL,
        "grant_type=client_credentials"
        f"&client_id={owner_agent.client_id}&client_secret={owner_agent.client_secret}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}  # no refresh_token, no scope
    assert body["access_token"].startswith("tat_")
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert response["Cache-Control"] == "no-store"

    answer = me(body["access_token"])
    assert answer.status_code == 200
    assert answer.json() == {
        "agent": {"clientId": owner_agent.client_id, "name": "Owner's Claude Code", "defaultTopic": None},
        "user": {"username": owner.username},
        "organization": {"id": owner.membership.organization_id, "name": "Acme"},
    }


def test_http_basic_client_authentication_is_accepted(owner_agent: AgentCredentials) -> None:
    basic = base64.b64encode(f"{owner_agent.client_id}:{owner_agent.client_secret}".encode()).decode()
    response = APIClient().post(
        TOKEN_URL,
        {"grant_type": "client_credentials"},
        format="multipart",
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200
    assert me(response.json()["access_token"]).status_code == 200


def test_each_agent_acts_in_its_own_organization(
    owner_agent: AgentCredentials, outsider_agent: AgentCredentials, other_org: Any
) -> None:
    answer = me(issue_token(outsider_agent)).json()
    assert answer["organization"] == {"id": other_org.pk, "name": "Globex"}
    assert answer["agent"]["clientId"] == outsider_agent.client_id
    # Another agent's client id with this agent's secret gets nothing.
    assert token_request(owner_agent.client_id, outsider_agent.client_secret).status_code == 401


def test_token_expires_after_one_hour(owner_agent: AgentCredentials) -> None:
    issued_at = timezone.now()
    with time_machine.travel(issued_at, tick=False):
        token = issue_token(owner_agent)
    with time_machine.travel(issued_at + timedelta(seconds=3599), tick=False):
        assert me(token).status_code == 200
    with time_machine.travel(issued_at + timedelta(seconds=3601), tick=False):
        response = me(token)
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_TOKEN"
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_rotation_keeps_both_secrets_until_the_old_one_is_revoked(owner_agent: AgentCredentials) -> None:
    old_token = issue_token(owner_agent)
    new = agent_secret_rotate(agent=owner_agent.agent)
    new_credentials = AgentCredentials(owner_agent.agent, owner_agent.client_id, new.plaintext)

    # Both secrets mint tokens.
    assert token_request(owner_agent.client_id, owner_agent.client_secret).status_code == 200
    new_token = issue_token(new_credentials)

    old_secret = AgentSecret.objects.exclude(pk=new.secret.pk).get(agent=owner_agent.agent)
    agent_secret_revoke(secret=old_secret)

    refused = token_request(owner_agent.client_id, owner_agent.client_secret)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"

    old_answer = me(old_token)
    assert old_answer.status_code == 403
    assert old_answer.json()["code"] == "SECRET_REVOKED"
    assert me(new_token).status_code == 200
    assert token_request(owner_agent.client_id, new.plaintext).status_code == 200


def test_deactivation_refuses_tokens_and_reactivation_restores_them(owner_agent: AgentCredentials) -> None:
    token = issue_token(owner_agent)
    assert me(token).status_code == 200

    agent_deactivate(agent=owner_agent.agent)
    response = me(token)
    assert response.status_code == 403
    assert response.json()["code"] == "AGENT_DEACTIVATED"
    refused = token_request(owner_agent.client_id, owner_agent.client_secret)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"

    agent_reactivate(agent=owner_agent.agent)
    assert me(token).status_code == 200
    assert token_request(owner_agent.client_id, owner_agent.client_secret).status_code == 200


def test_reactivation_does_not_revive_an_expired_token(owner_agent: AgentCredentials) -> None:
    issued_at = timezone.now()
    with time_machine.travel(issued_at, tick=False):
        token = issue_token(owner_agent)
        agent_deactivate(agent=owner_agent.agent)
    with time_machine.travel(issued_at + timedelta(hours=2), tick=False):
        agent_reactivate(agent=owner_agent.agent)
        assert me(token).status_code == 401


@pytest.mark.parametrize(
    ("client_id", "client_secret", "error"),
    [
        ("owner", "tcs_not-the-secret", "invalid_client"),
        ("teeckin_agent_unknown", "tcs_whatever", "invalid_client"),
        ("owner", "", "invalid_client"),  # a missing secret never passes (DOT's blank-secret trap)
        ("", "", "invalid_client"),
    ],
)
def test_bad_client_credentials_get_invalid_client(
    owner_agent: AgentCredentials, client_id: str, client_secret: str, error: str
) -> None:
    client_id = owner_agent.client_id if client_id == "owner" else client_id
    response = token_request(client_id, client_secret)
    assert response.status_code == 401
    assert response.json()["error"] == error
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert response["Cache-Control"] == "no-store"


def test_client_id_alone_gets_no_token(owner_agent: AgentCredentials) -> None:
    data = {"grant_type": "client_credentials", "client_id": owner_agent.client_id}
    response = APIClient().post(TOKEN_URL, data, format="multipart")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_missing_grant_type_is_invalid_request(owner_agent: AgentCredentials) -> None:
    response = APIClient().post(
        TOKEN_URL,
        {"client_id": owner_agent.client_id, "client_secret": owner_agent.client_secret},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("grant_type", ["password", "authorization_code", "refresh_token", "nonsense"])
def test_other_grant_types_are_unsupported(owner_agent: AgentCredentials, grant_type: str) -> None:
    response = token_request(owner_agent.client_id, owner_agent.client_secret, grant_type=grant_type)
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_json_body_is_refused_with_the_rfc_error(owner_agent: AgentCredentials) -> None:
    response = APIClient().post(TOKEN_URL, token_form(owner_agent), format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "form-encoded" in response.json()["error_description"]


def test_get_on_the_token_endpoint_is_refused() -> None:
    response = APIClient().get(TOKEN_URL)
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    "authorization", ["Basic !!!not-base64", "Basic " + base64.b64encode(b"no-colon").decode(), "Basic "]
)
def test_garbage_basic_credentials_get_invalid_client(db: None, authorization: str) -> None:
    response = APIClient().post(
        TOKEN_URL, {"grant_type": "client_credentials"}, format="multipart", HTTP_AUTHORIZATION=authorization
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_nul_byte_in_the_client_id_is_an_error_not_a_crash(db: None) -> None:
    response = token_request("teeckin_agent_\x00", "tcs_whatever")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_me_shows_the_agents_default_topic(owner: Any, topic: Any) -> None:
    from apps.agents.services import agent_create

    agent, issued = agent_create(user=owner, name="Hook", default_topic=topic)
    token = issue_token(AgentCredentials(agent, agent.client_id, issued.plaintext))
    assert me(token).json()["agent"]["defaultTopic"] == {
        "id": topic.pk,
        "name": "Project Alpha",
        "category": "Client Work",
    }


def test_the_real_token_endpoint_limits_guessing(owner_agent: AgentCredentials, settings: Any) -> None:
    from tests.ratelimits.helpers import set_limits

    set_limits(settings, {"token_client": "2/m", "token_ip": "100/m"})
    answers = [token_request(owner_agent.client_id, "tcs_guess").status_code for _ in range(3)]
    assert answers == [401, 401, 429]
    # Until the window passes the right secret is refused too: the limit counts attempts, not failures.
    assert token_request(owner_agent.client_id, owner_agent.client_secret).status_code == 429
