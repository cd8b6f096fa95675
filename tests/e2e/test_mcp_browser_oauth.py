"""Claude Code's way in, end to end against a live ASGI server (uvicorn, the real ``config.asgi``).

401 with resource_metadata → both metadata documents → dynamic registration → authorization request with
S256 → login form → consent form → code at a loopback redirect (a real local HTTP receiver) → token
exchange (a wrong verifier is invalid_grant, a missing one is refused) → MCP initialize, tools/list,
tools/call start_timer with a misspelt topic (the SDK's own client) → the REST API sees the running timer
→ stop_timer → refresh token rotation (reuse revokes the family) → revoking the interactive agent makes
the next MCP call 401.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)
from pytest_httpserver import HTTPServer
from rest_framework.test import APIClient

from apps.agents.models import Agent
from apps.agents.services import interactive_agent_revoke
from apps.clocked_times.models import ClockedTime
from tests.conftest import INLINE_SCRIPT
from tests.fixtures.asgi_server import (
    CLIENT_NAME,
    BrowserSession,
    LiveAsgiServer,
    absolute,
    authorize_url,
    mcp_post,
    mcp_session_calls,
    pkce_pair,
    query_of,
    register,
    token,
)
from tests.fixtures.auth import AgentCredentials, issue_token

pytestmark = pytest.mark.usefixtures("transactional_db")

TOOLS = {
    "list_topics",
    "timer_status",
    "start_timer",
    "stop_timer",
    "log_time",
    "update_timer_notes",
    "add_timer_tags",
    "recent_entries",
    "time_summary",
    "resolve_topic",
    "heartbeat",
}


def test_claude_code_signs_in_through_the_browser_and_tracks_time(
    asgi_server: LiveAsgiServer,
    httpserver: HTTPServer,
    owner: Any,
    owner_agent: AgentCredentials,
    research: Any,
    topic: Any,
) -> None:
    server = asgi_server

    # 1. An unauthenticated MCP call: 401 naming the protected-resource metadata.
    refused = httpx2.post(server.mcp_url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}, timeout=10)
    assert refused.status_code == 401
    challenge = refused.headers["WWW-Authenticate"]
    metadata_url = f"{server.url}/.well-known/oauth-protected-resource/mcp"
    assert challenge.startswith("Bearer ") and f'resource_metadata="{metadata_url}"' in challenge

    # 2. Both metadata documents.
    resource_metadata = httpx2.get(metadata_url).json()
    assert resource_metadata["resource"] == server.mcp_url
    assert resource_metadata["authorization_servers"] == [server.url]
    assert resource_metadata["scopes_supported"] == ["agent"]
    assert (
        httpx2.get(server.url + "/.well-known/oauth-protected-resource").json()["resource"] == server.mcp_url
    )
    as_metadata = httpx2.get(server.url + "/.well-known/oauth-authorization-server").json()
    assert as_metadata["issuer"] == server.url
    assert as_metadata["code_challenge_methods_supported"] == ["S256"]
    assert "none" in as_metadata["token_endpoint_auth_methods_supported"]
    assert as_metadata["registration_endpoint"] == server.url + "/api/oauth/register"
    assert as_metadata["authorization_endpoint"] == server.url + "/oauth/authorize/"
    assert as_metadata["token_endpoint"] == server.url + "/api/oauth/token"
    assert as_metadata["client_id_metadata_document_supported"] is True

    # 3. Dynamic registration of a public client with a loopback redirect.
    httpserver.expect_request("/callback").respond_with_data("You can close this window.")
    redirect_uri = httpserver.url_for("/callback")
    registered = register(server, redirect_uri)
    assert registered.status_code == 201, registered.text
    client_id = registered.json()["client_id"]
    assert registered.json()["token_endpoint_auth_method"] == "none"

    # 4. Authorization request with S256: the browser is sent to the login page first.
    verifier, challenge_value = pkce_pair()
    auth_params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": "st4te",
        "code_challenge": challenge_value,
        "code_challenge_method": "S256",
        "scope": "agent",
        "resource": server.mcp_url,
    }
    browser = BrowserSession(server.url)
    to_login = browser.get(authorize_url(server.url, **auth_params))
    assert to_login.status_code == 302
    assert to_login.headers["Location"].startswith("/accounts/login/?next=")

    # 5. Login form, then back to the consent form.
    login_page = browser.get(to_login.headers["Location"])
    assert login_page.status_code == 200 and 'name="password"' in login_page.text
    after_login = browser.log_in(login_page, "olivia", "pw-olivia")
    assert after_login.status_code == 302
    consent_page = browser.get(absolute(server.url, after_login.headers["Location"]))
    assert consent_page.status_code == 200
    assert f"{CLIENT_NAME} wants to track time as you in Acme" in consent_page.text
    assert not INLINE_SCRIPT.search(consent_page.text)

    # 6. Allow: the code arrives at the loopback redirect (a real local receiver).
    allowed = browser.consent(consent_page, allow=True)
    assert allowed.status_code == 302
    location = allowed.headers["Location"]
    assert location.startswith(redirect_uri + "?")
    assert httpx2.get(location).status_code == 200
    callback = httpserver.log[-1][0]
    assert callback.args["state"] == "st4te"
    code = callback.args["code"]
    assert query_of(location)["iss"] == server.url
    browser.close()

    # 7. Token exchange: no verifier is refused, a wrong one is invalid_grant, the right one works.
    exchange = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    exchange["client_id"] = client_id
    missing = token(server, **exchange)
    assert missing.status_code == 400
    assert missing.json() == {"error": "invalid_request", "error_description": "Code verifier required."}
    wrong = token(server, **exchange, code_verifier=pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    issued = token(server, **exchange, code_verifier=verifier)
    assert issued.status_code == 200, issued.text
    tokens = issued.json()
    assert tokens["access_token"].startswith("tat_") and tokens["refresh_token"].startswith("trt_")
    assert tokens["expires_in"] == 3600 and tokens["token_type"] == "Bearer"
    assert issued.headers["Cache-Control"] == "no-store"
    agent = Agent.objects.get(registration__client_id=client_id, user=owner)
    assert (agent.kind, agent.name, agent.organization_id) == (
        "interactive",
        CLIENT_NAME,
        owner.membership.organization_id,
    )

    # 8. MCP through the SDK's client: initialize (guidance in the instructions), tools, a misspelt topic.
    initialized, listed, (started,) = anyio.run(
        mcp_session_calls,
        server,
        tokens["access_token"],
        [("start_timer", {"topic": "Reserch", "notes": "Reading"})],
    )
    assert "Use Project Alpha for client deliverables." in (initialized.instructions or "")
    assert {tool.name for tool in listed.tools} == TOOLS
    assert not started.is_error, started.content
    assert started.structured_content["topic"]["name"] == "Research"

    # 9. The REST API sees the running timer, recorded as the interactive agent's. Each agent has its own
    # tracker (parallel sessions), so another agent of the person finds it in the person's running list.
    rest = APIClient()
    rest.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(owner_agent)}")
    running = rest.get("/api/v1/timers/running").json()["results"]
    assert [(r["agent"]["clientId"], r["topic"]["name"]) for r in running] == [(agent.client_id, "Research")]
    assert ClockedTime.objects.get(pk=running[0]["id"]).agent_id == agent.pk

    # 10. stop_timer.
    _, _, (stopped,) = anyio.run(mcp_session_calls, server, tokens["access_token"], [("stop_timer", {})])
    assert not stopped.is_error and stopped.structured_content["stopped"] is True
    assert rest.get("/api/v1/timers/running").json()["count"] == 0

    # 11. Refresh rotation: a new pair each time; replaying a used refresh token revokes the family.
    refresh = {"grant_type": "refresh_token", "client_id": client_id}
    first = token(server, **refresh, refresh_token=tokens["refresh_token"])
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert rotated["access_token"] != tokens["access_token"]
    assert mcp_post(server, rotated["access_token"]).status_code == 200
    replay = token(server, **refresh, refresh_token=tokens["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    family_gone = token(server, **refresh, refresh_token=rotated["refresh_token"])
    assert family_gone.status_code == 400 and family_gone.json()["error"] == "invalid_grant"

    # 12. Sign in again (consent, fresh pair), then revoke the agent: the next MCP call is 401.
    again = sign_in(server, httpserver, client_id, redirect_uri, "olivia")
    assert mcp_post(server, again["access_token"]).status_code == 200
    interactive_agent_revoke(agent=Agent.objects.get(pk=agent.pk))
    after_revoke = mcp_post(server, again["access_token"])
    assert after_revoke.status_code == 401
    assert "resource_metadata=" in after_revoke.headers["WWW-Authenticate"]
    dead_refresh = token(server, **refresh, refresh_token=again["refresh_token"])
    assert dead_refresh.status_code == 400 and dead_refresh.json()["error"] == "invalid_grant"


def sign_in(
    server: LiveAsgiServer, httpserver: HTTPServer, client_id: str, redirect_uri: str, username: str
) -> dict[str, Any]:
    """The whole browser flow for a registered client; returns the token response."""
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": "again",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "resource": server.mcp_url,
    }
    browser = BrowserSession(server.url)
    login_page = browser.get(browser.get(authorize_url(server.url, **params)).headers["Location"])
    consent_page = browser.get(
        absolute(server.url, browser.log_in(login_page, username, f"pw-{username}").headers["Location"])
    )
    location = browser.consent(consent_page, allow=True).headers["Location"]
    browser.close()
    code = query_of(location)["code"]
    issued = token(
        server,
        grant_type="authorization_code",
        code=code,
        redirect_uri=redirect_uri,
        client_id=client_id,
        code_verifier=verifier,
    )
    assert issued.status_code == 200, issued.text
    return issued.json()


class MemoryTokenStorage:
    """The SDK's TokenStorage protocol, in memory (Claude Code keeps these in its keychain)."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


def test_the_sdk_oauth_client_provider_discovers_registers_and_signs_in_by_itself(
    asgi_server: LiveAsgiServer, owner: Any, research: Any
) -> None:
    """What an MCP client does unaided from nothing but the URL: the SDK's OAuthClientProvider finds the
    metadata, registers, sends the person to the browser (here: BrowserSession fills in the forms) and
    exchanges the code; then tools work."""
    server = asgi_server
    redirect_uri = "http://127.0.0.1:33418/callback"  # the client's loopback listener; never contacted here
    storage = MemoryTokenStorage()
    landed: dict[str, str] = {}

    async def redirect_handler(authorization_url: str) -> None:
        def person_in_browser() -> None:
            browser = BrowserSession(server.url)
            to_login = browser.get(authorization_url)
            login_page = browser.get(to_login.headers["Location"])
            consent_page = browser.get(
                absolute(server.url, browser.log_in(login_page, "olivia", "pw-olivia").headers["Location"])
            )
            landed.update(query_of(browser.consent(consent_page, allow=True).headers["Location"]))
            browser.close()

        await anyio.to_thread.run_sync(person_in_browser)

    async def callback_handler() -> AuthorizationCodeResult:
        return AuthorizationCodeResult(code=landed["code"], state=landed["state"], iss=landed.get("iss"))

    provider = OAuthClientProvider(
        server_url=server.mcp_url,
        client_metadata=OAuthClientMetadata(
            client_name="SDK client",
            redirect_uris=[redirect_uri],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=redirect_handler,
        callback_handler=callback_handler,
    )

    async def session() -> Any:
        async with (
            httpx2.AsyncClient(auth=provider, timeout=20) as http,
            streamable_http_client(server.mcp_url, http_client=http) as (read, write),
            ClientSession(read, write) as mcp_session,
        ):
            await mcp_session.initialize()
            return await mcp_session.call_tool("start_timer", {"topic": "Research"})

    started = anyio.run(session)
    assert not started.is_error, started.content
    assert storage.tokens is not None and storage.tokens.refresh_token
    agent = Agent.objects.get(registration__client_id=storage.client_info.client_id, user=owner)
    assert agent.name == "SDK client"
    assert ClockedTime.objects.get(end_time__isnull=True).agent_id == agent.pk
