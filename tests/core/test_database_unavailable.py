"""PostgreSQL down or frozen: 503 SERVICE_UNAVAILABLE with Retry-After, within the configured timeouts,
and service again as soon as it is back, without a restart.

The request's connection goes through a TCP proxy this test controls (tests/fixtures/deps.py): "down"
closes it and refuses connections like a stopped server, "frozen" takes bytes and answers nothing like a
SIGSTOPped one. The shared server is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import requires_postgres
from tests.fixtures.auth import AgentCredentials, api_client_for, token_form
from tests.fixtures.deps import TcpProxy

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def db_proxy(transactional_db: None, tcp_proxy: type[TcpProxy]) -> Iterator[TcpProxy]:
    """This thread's connection, re-pointed at a proxy in front of the test database, with short
    timeouts (the shipped ones are seconds longer; the mechanism is the same)."""
    original = connection.settings_dict
    proxy = tcp_proxy((original["HOST"] or "127.0.0.1", int(original["PORT"] or 5432)))
    options = {**original["OPTIONS"], "connect_timeout": 2, "client_timeout": 1}
    if options.get("pool"):
        # The pool waits this long for a usable connection before the request fails (with the 503).
        options["pool"] = {**options["pool"], "min_size": 1, "timeout": 2}
    connection.close()
    # A pool is built once per alias from the settings: drop it so the next one goes through the proxy.
    connection.close_pool()
    connection.settings_dict = {**original, "HOST": "127.0.0.1", "PORT": str(proxy.port), "OPTIONS": options}
    try:
        yield proxy
    finally:
        connection.close()
        connection.close_pool()
        connection.settings_dict = original


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.content
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "SERVICE_UNAVAILABLE"
    assert body["details"] == {"retryAfter": 5}


def test_down_is_503_with_retry_after_then_service_resumes(
    owner_agent: AgentCredentials, db_proxy: TcpProxy
) -> None:
    api = api_client_for(owner_agent)
    assert api.get("/api/agent/timer").status_code == 200

    db_proxy.down()
    responses = [
        api.get("/api/agent/timer"),
        api.post("/api/agent/timer/start", {"topic": "x"}, format="json"),
        APIClient().get("/api/agent/timer"),  # no credentials: still the database that fails first
        Client(raise_request_exception=False).post("/api/oauth/token", token_form(owner_agent)),
    ]
    for response in responses[:2]:
        assert_unavailable(response)
    assert responses[2].status_code in (401, 503)
    assert_unavailable(responses[3])

    db_proxy.up()
    assert api.get("/api/agent/timer").status_code == 200  # same process, no restart


def test_frozen_times_out_into_the_same_503_on_a_kept_and_on_a_new_connection(
    owner_agent: AgentCredentials, db_proxy: TcpProxy
) -> None:
    api = api_client_for(owner_agent)
    assert api.get("/api/agent/timer").status_code == 200  # the connection is kept (pool or CONN_MAX_AGE)

    db_proxy.freeze()
    started = time.monotonic()
    kept = api.get("/api/agent/timer")
    on_kept = time.monotonic() - started
    started = time.monotonic()
    fresh = api.get("/api/agent/timer")  # the timed-out connection was closed: this one connects anew
    on_new = time.monotonic() - started

    assert_unavailable(kept)
    assert_unavailable(fresh)
    assert on_kept < 3, on_kept  # client deadline 1 s
    assert on_new < 4, on_new  # connect_timeout 2 s

    db_proxy.up()
    assert api.get("/api/agent/timer").status_code == 200


def test_the_admin_gets_a_plain_503_too(db_proxy: TcpProxy) -> None:
    db_proxy.down()
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-the-database-would-know"
    response = client.get("/admin/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
