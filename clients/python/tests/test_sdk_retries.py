"""Retries, backoff and Idempotency-Key, against a real local HTTP server (pytest-httpserver) that fails on
purpose: the live Teeckin server cannot be made to answer 503 on demand."""

from __future__ import annotations

import json
import socket
import time
import uuid
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from teeckin import RateLimitError, ServerError, Teeckin, TransportError

START_ANSWER = {
    "started": True,
    "topic": {"id": "top-1", "name": "Research", "category": "Internal"},
    "clockedTimeId": "ct-1",
    "startedAt": "2026-01-05T09:00:00Z",
    "stopped": None,
}
UNAVAILABLE = {"error": "Down for maintenance.", "code": "UNAVAILABLE", "details": {}}


def _client(httpserver: HTTPServer, **options: Any) -> Teeckin:
    return Teeckin(base_url=httpserver.url_for("/"), api_key="tak_test", backoff=0.01, **options)


def _keys(httpserver: HTTPServer) -> list[str]:
    return [request.headers.get("Idempotency-Key") for request, _ in httpserver.log]


def test_a_write_retried_after_a_503_carries_the_same_idempotency_key(httpserver):
    httpserver.expect_ordered_request("/api/agent/timer/start", method="POST").respond_with_json(
        UNAVAILABLE, status=503, headers={"Retry-After": "0"}
    )
    httpserver.expect_ordered_request("/api/agent/timer/start", method="POST").respond_with_json(
        START_ANSWER, status=201
    )
    with _client(httpserver) as sdk:
        assert sdk.timer.start(topic="Research").clockedTimeId == "ct-1"
    first, second = _keys(httpserver)
    assert first == second and uuid.UUID(first).version == 4
    assert [json.loads(request.get_data()) for request, _ in httpserver.log] == [{"topic": "Research"}] * 2


def test_each_logical_write_gets_its_own_key_and_reads_get_none(httpserver):
    start = httpserver.expect_request("/api/agent/timer/start", method="POST")
    start.respond_with_json(START_ANSWER, status=201)
    httpserver.expect_request("/api/agent/topics", method="GET").respond_with_json({"topics": []})
    with _client(httpserver) as sdk:
        sdk.timer.start(topic="Research")
        sdk.timer.start(topic="Research")
        sdk.timer.start(topic="Research", idempotency_key="session-42")
        assert sdk.topics.list() == []
    first, second, chosen, read = _keys(httpserver)
    assert first != second and chosen == "session-42" and read is None


def test_a_429_waits_as_retry_after_says(httpserver):
    httpserver.expect_ordered_request("/api/agent/topics").respond_with_json(
        {"error": "Slow down.", "code": "RATE_LIMITED", "details": {"retryAfter": 1}},
        status=429,
        headers={"Retry-After": "1"},
    )
    httpserver.expect_ordered_request("/api/agent/topics").respond_with_json({"topics": []})
    with _client(httpserver) as sdk:
        began = time.monotonic()
        assert sdk.topics.list() == []
        assert time.monotonic() - began >= 1.0
    assert len(httpserver.log) == 2


def test_a_wait_longer_than_allowed_raises_at_once(httpserver):
    httpserver.expect_request("/api/agent/timer/stop").respond_with_json(
        {"error": "Quota.", "code": "RATE_LIMITED", "details": {"retryAfter": 1800}},
        status=429,
        headers={"Retry-After": "1800"},
    )
    with _client(httpserver, max_retry_wait=30) as sdk, pytest.raises(RateLimitError) as refused:
        sdk.timer.stop()
    assert refused.value.retry_after == 1800 and refused.value.code == "RATE_LIMITED"
    assert len(httpserver.log) == 1


def test_retries_are_bounded(httpserver):
    httpserver.expect_request("/api/agent/timer").respond_with_json(UNAVAILABLE, status=503)
    with _client(httpserver, max_retries=3) as sdk, pytest.raises(ServerError) as failed:
        sdk.timer.status()
    assert failed.value.status_code == 503 and failed.value.code == "UNAVAILABLE"
    assert len(httpserver.log) == 4


def test_an_unreachable_server_is_a_transport_error_after_the_retries():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with (
        Teeckin(base_url=f"http://127.0.0.1:{port}", api_key="tak_x", backoff=0.01) as sdk,
        pytest.raises(TransportError),
    ):
        sdk.timer.start(topic="Research")


def test_a_401_renews_the_token_and_resends_with_the_same_key(httpserver):
    tokens = iter(["tat_first", "tat_second"])
    httpserver.expect_request("/api/oauth/token", method="POST").respond_with_handler(
        lambda request: _json({"access_token": next(tokens), "token_type": "Bearer", "expires_in": 3600})
    )
    # One-shot handlers answer before permanent ones: the first start gets the 401, the next one a 201.
    httpserver.expect_oneshot_request("/api/agent/timer/start").respond_with_json(
        {"error": "Expired.", "code": "INVALID_TOKEN", "details": {}}, status=401
    )
    httpserver.expect_request("/api/agent/timer/start").respond_with_json(START_ANSWER, status=201)
    with Teeckin(base_url=httpserver.url_for("/"), client_id="teeckin_agent_x", client_secret="tcs_x") as sdk:
        sdk.timer.start(topic="Research")
    writes = [request for request, _ in httpserver.log if request.path == "/api/agent/timer/start"]
    assert [r.headers["Authorization"] for r in writes] == ["Bearer tat_first", "Bearer tat_second"]
    assert writes[0].headers["Idempotency-Key"] == writes[1].headers["Idempotency-Key"]
    form = next(request.form for request, _ in httpserver.log if request.path == "/api/oauth/token")
    assert form["grant_type"] == "client_credentials" and form["client_secret"] == "tcs_x"


def _json(body: dict[str, Any]) -> Any:
    from werkzeug import Response

    return Response(json.dumps(body), content_type="application/json")
