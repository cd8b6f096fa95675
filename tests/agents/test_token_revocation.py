"""POST /api/oauth/revoke (RFC 7009) with real tokens from the real token endpoint, and the token endpoint's
refusal of agents whose owner account is disabled."""

from __future__ import annotations

import base64
from typing import Any

from django.test import Client
from oauth2_provider.models import AccessToken

from tests.fixtures.auth import AgentCredentials, issue_token, make_agent, token_form
from tests.ratelimits.helpers import set_limits

REVOKE = "/api/oauth/revoke"
ME = "/api/agent/me"


def _me(token: str) -> int:
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def _revoke(credentials: AgentCredentials, token: str, **extra: Any) -> Any:
    form = {"token": token, "client_id": credentials.client_id, "client_secret": credentials.client_secret}
    return Client(enforce_csrf_checks=True).post(REVOKE, form, **extra)


def test_an_agent_revokes_its_token_and_it_stops_working(owner_agent):
    token = issue_token(owner_agent)
    other = issue_token(owner_agent)
    assert _me(token) == 200

    response = _revoke(owner_agent, token)

    assert response.status_code == 200
    assert response.json() == {}
    assert response["Cache-Control"] == "no-store"
    assert _me(token) == 401
    assert _me(other) == 200  # only the named token is revoked


def test_revocation_with_http_basic_credentials(owner_agent):
    token = issue_token(owner_agent)
    basic = base64.b64encode(f"{owner_agent.client_id}:{owner_agent.client_secret}".encode()).decode()
    response = Client().post(
        REVOKE, {"token": token, "token_type_hint": "access_token"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200
    assert _me(token) == 401


def test_revoking_an_unknown_or_already_revoked_token_is_200(owner_agent):
    token = issue_token(owner_agent)
    assert _revoke(owner_agent, token).status_code == 200
    assert _revoke(owner_agent, token).status_code == 200
    assert _revoke(owner_agent, "tat_not-a-token").status_code == 200


def test_another_agents_token_is_not_revoked(owner_agent, teammate_agent, outsider_agent):
    token = issue_token(owner_agent)
    for stranger in (outsider_agent, teammate_agent):  # another organization, and the same one
        # 200, as for an unknown token (RFC 7009 §2.2): the answer tells nothing about others' tokens.
        assert _revoke(stranger, token).status_code == 200
    assert _me(token) == 200
    assert AccessToken.objects.filter(application=owner_agent.agent).count() == 1


def test_a_wrong_secret_is_invalid_client_and_the_token_survives(owner_agent):
    token = issue_token(owner_agent)
    wrong = AgentCredentials(owner_agent.agent, owner_agent.client_id, "tcs_wrong")
    response = _revoke(wrong, token)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert _me(token) == 200


def test_a_request_without_a_token_is_400(owner_agent):
    credentials = {"client_id": owner_agent.client_id, "client_secret": owner_agent.client_secret}
    response = Client().post(REVOKE, credentials)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_a_json_body_is_refused_in_oauths_shape(owner_agent):
    response = Client().post(REVOKE, {"token": "x"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_revocation_counts_in_the_token_endpoints_buckets(owner_agent, settings):
    set_limits(settings, {"token_client": "2/m", "token_ip": "100/m"})
    token = issue_token(owner_agent)
    wrong = AgentCredentials(owner_agent.agent, owner_agent.client_id, "tcs_wrong")
    # One failed attempt at the token endpoint and one at the revocation endpoint fill the client's bucket…
    assert Client().post("/api/oauth/token", token_form(wrong)).status_code == 401
    assert _revoke(wrong, token).status_code == 401
    # …so the next attempt from that address is refused unanswered, even with the right secret.
    refused = _revoke(owner_agent, token)
    assert refused.status_code == 429
    assert refused.json()["details"]["bucket"] == "token_client"
    assert _me(token) == 200


def test_a_disabled_owner_account_gets_no_token(owner, owner_agent):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    response = Client().post("/api/oauth/token", token_form(owner_agent))
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_an_active_owners_other_agent_is_unaffected(owner, teammate, owner_agent):
    teammate.is_active = False
    teammate.save(update_fields=["is_active"])
    second = make_agent(owner, "Second agent")
    assert Client().post("/api/oauth/token", token_form(second)).status_code == 200


def test_a_browser_authorized_client_revokes_its_refresh_token_by_client_id(owner):
    from oauth2_provider.models import get_refresh_token_model

    from tests.agents.test_interactive import issue_pair, make_registration

    registration = make_registration()
    stranger = make_registration("Another client")
    _, refresh = issue_pair(registration, owner)
    form = {"token": "trt_" + "r" * 43, "token_type_hint": "refresh_token"}

    # Another public client naming the token: 200, and nothing happens (RFC 7009 §2.1).
    assert Client().post(REVOKE, {**form, "client_id": stranger.client_id}).status_code == 200
    assert get_refresh_token_model().objects.filter(pk=refresh.pk, revoked__isnull=True).exists()

    response = Client().post(REVOKE, {**form, "client_id": registration.client_id})
    assert response.status_code == 200
    assert not get_refresh_token_model().objects.filter(pk=refresh.pk, revoked__isnull=True).exists()
