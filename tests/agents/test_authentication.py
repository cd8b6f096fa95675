"""Bearer tokens and X-API-Key on the API: who a request acts as, and every way it is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from apps.agents.models import Agent, AgentSecret, ApiKey
from apps.agents.services import api_key_create, api_key_revoke
from tests.fixtures.auth import AgentCredentials, issue_token

ME_URL = "/api/agent/me"


@pytest.fixture
def auth_queries_only(settings: Any) -> None:
    """Count only what authentication costs: the rate limiter (its plan lookup) has its own tests."""
    settings.RATELIMIT_ENABLE = False


def assert_invalid_token(response: Any, code: str = "INVALID_TOKEN") -> None:
    assert response.status_code == 401
    assert response.json()["code"] == code
    assert set(response.json()) == {"error", "code", "details"}
    assert response["WWW-Authenticate"] == 'Bearer realm="teeckin", error="invalid_token"'


def test_missing_credentials_get_401_with_a_bare_bearer_challenge(db: None) -> None:
    # RFC 6750 §3.1: no error attribute when the request carried no credential (issue 9 changed this).
    response = APIClient().get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"
    assert response["WWW-Authenticate"] == 'Bearer realm="teeckin"'


def test_a_refused_api_key_gets_the_invalid_token_challenge(db: None) -> None:
    response = APIClient().get(ME_URL, HTTP_X_API_KEY="tak_unknown")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="teeckin", error="invalid_token"'


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer ", "Bearer not-a-teeckin-token", "Bearer tat_a tat_b", "bearer tat_unknown"],
)
def test_malformed_or_unknown_tokens_get_401(db: None, header: str) -> None:
    assert_invalid_token(APIClient().get(ME_URL, HTTP_AUTHORIZATION=header))


def test_a_token_in_the_query_string_is_refused(owner_agent: AgentCredentials) -> None:
    token = issue_token(owner_agent)
    assert_invalid_token(APIClient().get(f"{ME_URL}?access_token={token}"))
    # Even alongside a valid header: the URL copy has already leaked into logs.
    response = APIClient().get(f"{ME_URL}?access_token={token}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_invalid_token(response)


def test_a_request_costs_one_query(
    owner_api: APIClient, django_assert_num_queries: Any, auth_queries_only: None
) -> None:
    # Token → agent → owner → membership → organization → minting secret, in one SELECT.
    with django_assert_num_queries(1):
        assert owner_api.get(ME_URL).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(
    owner_agent: AgentCredentials, django_assert_num_queries: Any, auth_queries_only: None
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(owner_agent)}")
        assert Agent.objects.get(pk=owner_agent.agent.pk).last_used_at == start  # issuing is a use
    with time_machine.travel(start + timedelta(seconds=30), tick=False), django_assert_num_queries(1):
        client.get(ME_URL)
    later = start + timedelta(seconds=61)
    with time_machine.travel(later, tick=False), django_assert_num_queries(2):
        client.get(ME_URL)
    assert Agent.objects.get(pk=owner_agent.agent.pk).last_used_at == later


def test_a_disabled_owner_account_is_refused(owner_agent: AgentCredentials, owner: Any) -> None:
    token = issue_token(owner_agent)
    owner.is_active = False
    owner.save()
    response = APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json()["code"] == "USER_INACTIVE"


def test_api_key_acts_as_its_user_without_an_agent(teammate: Any, org: Any) -> None:
    issued = api_key_create(user=teammate, name="CI exporter")
    assert issued.plaintext.startswith("tak_")

    response = APIClient().get(ME_URL, HTTP_X_API_KEY=issued.plaintext)

    assert response.status_code == 200
    assert response.json() == {
        "agent": None,
        "user": {"username": teammate.username},
        "organization": {"id": org.pk, "name": "Acme"},
    }
    assert ApiKey.objects.get(pk=issued.api_key.pk).last_used_at is not None


def test_revoked_unknown_or_malformed_api_keys_get_401(teammate: Any) -> None:
    issued = api_key_create(user=teammate, name="CI exporter")
    api_key_revoke(api_key=issued.api_key)
    for key in (issued.plaintext, "tak_unknown", "not-a-key"):
        assert_invalid_token(APIClient().get(ME_URL, HTTP_X_API_KEY=key))


def test_api_key_request_costs_one_query(
    teammate: Any, django_assert_num_queries: Any, auth_queries_only: None
) -> None:
    issued = api_key_create(user=teammate, name="CI exporter")
    client = APIClient()
    client.get(ME_URL, HTTP_X_API_KEY=issued.plaintext)  # first use writes last_used_at
    with django_assert_num_queries(1):
        assert client.get(ME_URL, HTTP_X_API_KEY=issued.plaintext).status_code == 200


def test_an_agent_whose_owner_left_its_organization_is_refused(
    owner_agent: AgentCredentials, owner: Any, other_org: Any
) -> None:
    token = issue_token(owner_agent)
    owner.membership.organization = other_org
    owner.membership.save()
    response = APIClient().get(ME_URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403
    assert response.json()["code"] == "ORGANIZATION_MISMATCH"


def test_issuing_a_token_records_when_the_secret_was_last_used(owner_agent: AgentCredentials) -> None:
    secret = AgentSecret.objects.get(agent=owner_agent.agent)
    assert secret.last_used_at is None
    issue_token(owner_agent)
    secret.refresh_from_db()
    assert secret.last_used_at is not None


def test_the_cast_clients_fetch_a_new_token_when_theirs_expires(owner_api: APIClient) -> None:
    first = owner_api._credentials["HTTP_AUTHORIZATION"]
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert owner_api.get(ME_URL).status_code == 200
    assert owner_api._credentials["HTTP_AUTHORIZATION"] != first
