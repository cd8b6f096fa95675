"""Security of the browser OAuth flow and of /mcp, against the live ASGI server.

Audience (RFC 8707): a REST token is refused at /mcp and an MCP token at the REST API. Registration:
only public clients with loopback or https redirects. Authorization: no open redirect to an unregistered
redirect_uri, PKCE S256 required (none and plain refused), Deny is access_denied. CIMD fetches no private
address. Hosts and origins outside ALLOWED_HOSTS are refused at /mcp.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from pytest_httpserver import HTTPServer

from apps.agents.models import Agent
from tests.fixtures.asgi_server import (
    BrowserSession,
    LiveAsgiServer,
    absolute,
    authorize_url,
    form_fields,
    mcp_post,
    mcp_token,
    pkce_pair,
    query_of,
    register,
)
from tests.fixtures.auth import AgentCredentials, make_agent

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_a_rest_token_without_the_mcp_audience_is_refused_at_mcp(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials
) -> None:
    rest_token = mcp_token(asgi_server, owner_agent.client_id, owner_agent.client_secret, resource=None)
    refused = mcp_post(asgi_server, rest_token)
    assert refused.status_code == 401
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert "resource_metadata=" in refused.headers["WWW-Authenticate"]
    # The same agent asking for the MCP audience is let in ...
    mcp_only = mcp_token(asgi_server, owner_agent.client_id, owner_agent.client_secret, asgi_server.mcp_url)
    assert mcp_post(asgi_server, mcp_only).status_code == 200
    # ... and that token is in turn refused by the REST API.
    rest = httpx2.get(asgi_server.url + "/api/agent/me", headers={"Authorization": f"Bearer {mcp_only}"})
    assert rest.status_code == 401 and rest.json()["code"] == "INVALID_TOKEN"
    assert httpx2.get(
        asgi_server.url + "/api/agent/me", headers={"Authorization": f"Bearer {rest_token}"}
    ).is_success


def test_client_credentials_refuse_an_unknown_resource(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": owner_agent.client_id,
        "client_secret": owner_agent.client_secret,
        "resource": "https://elsewhere.example/api",
    }
    answer = httpx2.post(asgi_server.url + "/api/oauth/token", data=form)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_target"


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.example/callback",
        "http://192.168.1.5:8080/callback",
        "javascript:alert(1)",
        "ftp://127.0.0.1/x",
    ],
)
def test_registration_refuses_redirects_that_are_neither_loopback_nor_https(
    asgi_server: LiveAsgiServer, redirect_uri: str
) -> None:
    before = Agent.objects.count()
    answer = register(asgi_server, redirect_uri)
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client_metadata"
    assert Agent.objects.count() == before


@pytest.mark.parametrize(
    "redirect_uri", ["http://127.0.0.1:53682/callback", "http://localhost/callback", "https://app.example/cb"]
)
def test_registration_accepts_loopback_on_any_port_and_https(
    asgi_server: LiveAsgiServer, redirect_uri: str
) -> None:
    answer = register(asgi_server, redirect_uri)
    assert answer.status_code == 201, answer.text
    registration = Agent.objects.get(client_id=answer.json()["client_id"])
    assert registration.is_registration and registration.client_type == Agent.CLIENT_PUBLIC


@pytest.mark.parametrize(
    "overrides",
    [
        {"token_endpoint_auth_method": "client_secret_basic"},
        {"grant_types": ["client_credentials"]},
        {"redirect_uris": []},
    ],
)
def test_registration_is_for_public_authorization_code_clients_only(
    asgi_server: LiveAsgiServer, overrides: dict[str, Any]
) -> None:
    answer = register(asgi_server, "http://127.0.0.1:9/cb", **overrides)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_client_metadata"


def test_registration_is_rate_limited_per_address(asgi_server: LiveAsgiServer, settings: Any) -> None:
    settings.RATELIMITS = {
        **settings.RATELIMITS,
        "BUCKETS": {**settings.RATELIMITS["BUCKETS"], "registration": "2/m"},
    }
    answers = [register(asgi_server, "http://127.0.0.1:9/cb").status_code for _ in range(3)]
    assert answers == [201, 201, 429]


def _authorize(server: LiveAsgiServer, browser: BrowserSession, **params: str) -> httpx2.Response:
    """Sign olivia in (following the login redirect) and return the authorization endpoint's answer."""
    first = browser.get(authorize_url(server.url, **params))
    if first.status_code == 302 and first.headers["Location"].startswith("/accounts/login/"):
        login_page = browser.get(first.headers["Location"])
        back = browser.log_in(login_page, "olivia", "pw-olivia")
        return browser.get(absolute(server.url, back.headers["Location"]))
    return first


@pytest.fixture
def registered(asgi_server: LiveAsgiServer, httpserver: HTTPServer, owner: Any) -> dict[str, str]:
    redirect_uri = httpserver.url_for("/callback")
    answer = register(asgi_server, redirect_uri)
    assert answer.status_code == 201
    return {"client_id": answer.json()["client_id"], "redirect_uri": redirect_uri}


def _params(registered: dict[str, str], **overrides: str) -> dict[str, str]:
    _verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": registered["client_id"],
        "redirect_uri": registered["redirect_uri"],
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **overrides,
    }
    return {key: value for key, value in params.items() if value}


def test_an_unregistered_redirect_uri_is_refused_without_redirecting(
    asgi_server: LiveAsgiServer, registered: dict[str, str]
) -> None:
    browser = BrowserSession(asgi_server.url)
    for target in ("https://evil.example/steal", registered["redirect_uri"].replace("/callback", "/other")):
        answer = _authorize(asgi_server, browser, **_params(registered, redirect_uri=target))
        assert answer.status_code == 400, answer.text
        assert "Location" not in answer.headers
        assert "evil.example" not in answer.text or "cannot be completed" in answer.text
    browser.close()


def test_loopback_redirects_match_on_any_port(asgi_server: LiveAsgiServer, owner: Any) -> None:
    answer = register(asgi_server, "http://127.0.0.1/callback")
    client = {"client_id": answer.json()["client_id"], "redirect_uri": "http://127.0.0.1:61234/callback"}
    browser = BrowserSession(asgi_server.url)
    consent = _authorize(asgi_server, browser, **_params(client))
    assert consent.status_code == 200 and "wants to track time as you" in consent.text
    allowed = browser.consent(consent, allow=True)
    assert allowed.headers["Location"].startswith("http://127.0.0.1:61234/callback?code=")
    browser.close()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge": "", "code_challenge_method": ""}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
    ],
)
def test_pkce_s256_is_required(
    asgi_server: LiveAsgiServer, registered: dict[str, str], overrides: dict[str, str], error: str
) -> None:
    browser = BrowserSession(asgi_server.url)
    answer = _authorize(asgi_server, browser, **_params(registered, **overrides))
    if answer.status_code == 200:  # the consent page: plain is refused when the grant would be created
        answer = browser.consent(answer, allow=True)
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"])["error"] == error
    assert "code" not in query_of(answer.headers["Location"])
    browser.close()


def test_deny_redirects_with_access_denied_and_creates_no_agent(
    asgi_server: LiveAsgiServer, registered: dict[str, str]
) -> None:
    browser = BrowserSession(asgi_server.url)
    consent = _authorize(asgi_server, browser, **_params(registered))
    denied = browser.consent(consent, allow=False)
    assert denied.status_code == 302
    answer = query_of(denied.headers["Location"])
    assert answer["error"] == "access_denied" and answer["state"] == "s" and "code" not in answer
    assert not Agent.objects.filter(registration__client_id=registered["client_id"]).exists()
    browser.close()


def test_a_resource_other_than_mcp_is_refused(
    asgi_server: LiveAsgiServer, registered: dict[str, str]
) -> None:
    browser = BrowserSession(asgi_server.url)
    answer = _authorize(asgi_server, browser, **_params(registered, resource="https://elsewhere.example/api"))
    assert answer.status_code == 302
    assert query_of(answer.headers["Location"])["error"] == "invalid_target"
    browser.close()


def test_consent_form_without_csrf_token_is_refused(
    asgi_server: LiveAsgiServer, registered: dict[str, str]
) -> None:
    browser = BrowserSession(asgi_server.url)
    consent = _authorize(asgi_server, browser, **_params(registered))
    fields = form_fields(consent.text)
    fields.pop("csrfmiddlewaretoken")
    fields["allow"] = "true"
    forged = browser.client.post(str(consent.url), data=fields, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert not Agent.objects.filter(registration__client_id=registered["client_id"]).exists()
    browser.close()


def test_cimd_never_fetches_a_private_address(
    asgi_server: LiveAsgiServer, httpserver: HTTPServer, owner: Any
) -> None:
    """A Client ID Metadata Document URL on a loopback address is never fetched (DOT's SSRF guard)."""
    document_url = f"https://127.0.0.1:{httpserver.port}/client.json"
    browser = BrowserSession(asgi_server.url)
    params = {
        "response_type": "code",
        "client_id": document_url,
        "redirect_uri": "http://127.0.0.1:9/cb",
        "code_challenge": pkce_pair()[1],
        "code_challenge_method": "S256",
    }
    answer = _authorize(asgi_server, browser, **params)
    assert answer.status_code in (400, 401)
    assert "Location" not in answer.headers
    assert httpserver.log == []
    assert not Agent.objects.filter(client_id=document_url).exists()
    browser.close()


def test_mcp_refuses_foreign_hosts_and_origins(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials
) -> None:
    token = mcp_token(asgi_server, owner_agent.client_id, owner_agent.client_secret, asgi_server.mcp_url)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json, text/event-stream"}
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    rebound = httpx2.post(asgi_server.mcp_url, json=body, headers={**headers, "Host": "attacker.example"})
    assert rebound.status_code == 421
    cross_site = httpx2.post(
        asgi_server.mcp_url, json=body, headers={**headers, "Origin": "https://evil.example"}
    )
    assert cross_site.status_code == 403
    same_site = httpx2.post(asgi_server.mcp_url, json=body, headers={**headers, "Origin": asgi_server.url})
    assert same_site.status_code == 200


def test_registration_access_tokens_do_not_open_mcp(asgi_server: LiveAsgiServer) -> None:
    answer = register(asgi_server, "http://127.0.0.1:9/cb")
    registration_token = answer.json()["registration_access_token"]
    assert mcp_post(asgi_server, registration_token).status_code == 401


def test_a_registration_update_obeys_the_same_redirect_rules(asgi_server: LiveAsgiServer) -> None:
    registered = register(asgi_server, "http://127.0.0.1:9/cb").json()
    manage = registered["registration_client_uri"]
    headers = {"Authorization": f"Bearer {registered['registration_access_token']}"}
    metadata = {
        "client_name": "changed",
        "redirect_uris": ["http://evil.example/cb"],
        "grant_types": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_method": "none",
    }
    refused = httpx2.put(manage, json=metadata, headers=headers)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_client_metadata"
    client = Agent.objects.get(client_id=registered["client_id"])
    assert client.redirect_uris == "http://127.0.0.1:9/cb"


def test_a_tampered_consent_form_cannot_redirect_elsewhere(
    asgi_server: LiveAsgiServer, registered: dict[str, str]
) -> None:
    browser = BrowserSession(asgi_server.url)
    consent = _authorize(asgi_server, browser, **_params(registered))
    fields = form_fields(consent.text)
    fields.update(
        {
            "allow": "true",
            "resource": "https://elsewhere.example/api",
            "redirect_uri": "https://evil.example/",
        }
    )
    answer = browser.post_form(str(consent.url), fields)
    assert "evil.example" not in answer.headers.get("Location", "")
    assert not Agent.objects.filter(registration__client_id=registered["client_id"]).exists()
    fields.update({"resource": "", "redirect_uri": "https://evil.example/"})
    answer = browser.post_form(str(consent.url), fields)
    assert "evil.example" not in answer.headers.get("Location", "")
    assert not Agent.objects.filter(registration__client_id=registered["client_id"]).exists()
    browser.close()


def test_a_token_without_the_agent_scope_is_403_insufficient_scope(
    asgi_server: LiveAsgiServer, owner: Any
) -> None:
    hooks = make_agent(owner, "Webhook manager", scopes=("agent", "webhooks"))
    form = {
        "grant_type": "client_credentials",
        "client_id": hooks.client_id,
        "client_secret": hooks.client_secret,
        "scope": "webhooks",
        "resource": asgi_server.mcp_url,
    }
    token = httpx2.post(asgi_server.url + "/api/oauth/token", data=form).json()["access_token"]
    refused = mcp_post(asgi_server, token)
    assert refused.status_code == 403
    assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]


def test_registration_with_a_nul_character_is_refused(asgi_server: LiveAsgiServer) -> None:
    answer = register(asgi_server, "http://127.0.0.1:9/cb", client_name="Claude\x00Code")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_client_metadata"


def test_refused_mcp_calls_count_per_address_like_the_rest_api(
    asgi_server: LiveAsgiServer, settings: Any
) -> None:
    settings.RATELIMITS = {
        **settings.RATELIMITS,
        "BUCKETS": {**settings.RATELIMITS["BUCKETS"], "anonymous": "2/m"},
    }
    answers = [mcp_post(asgi_server, "tat_guess" + str(i)) for i in range(3)]
    assert [answer.status_code for answer in answers] == [401, 401, 429]
    assert int(answers[2].headers["Retry-After"]) > 0
