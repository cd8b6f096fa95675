"""A ``Transfer-Encoding: chunked`` body is refused with 411 in the envelope by the servers we run on,
instead of being read as empty ("field is required")."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from tests.api.servers import gunicorn


def _chunked_post(host: str, port: int, path: str, body: bytes) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        # encode_chunked: http.client frames the body itself and sends Transfer-Encoding: chunked.
        connection.request(
            "POST",
            path,
            body=iter([body[:5], body[5:]]),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), json.loads(response.read())
    finally:
        connection.close()


@pytest.fixture
def gunicorn_port() -> Iterator[int]:
    with gunicorn() as url:
        yield int(url.rsplit(":", 1)[1])


def _assert_refused(status: int, content_type: str, body: dict) -> None:
    assert status == 411, body
    assert content_type == "application/json"
    assert body["code"] == "LENGTH_REQUIRED"
    assert "Content-Length" in body["error"]


BODY = json.dumps({"topic": "Project Alpha", "duration_minutes": 30}).encode()


def test_the_django_server_refuses_a_chunked_body_with_411(live_server):
    host, port = live_server.url.removeprefix("http://").split(":")
    _assert_refused(*_chunked_post(host, int(port), "/api/agent/time", BODY))


def test_gunicorn_refuses_a_chunked_body_with_411(gunicorn_port):
    _assert_refused(*_chunked_post("127.0.0.1", gunicorn_port, "/api/agent/time", BODY))
