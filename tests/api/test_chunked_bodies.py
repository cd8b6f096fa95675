"""A ``Transfer-Encoding: chunked`` body is refused with 411 in the envelope by the servers we run on,
instead of being read as empty ("field is required")."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator

import pytest

from tests.api.servers import gunicorn


def _chunked_post(host: str, port: int, path: str, body: bytes) -> tuple[int, str, dict]:
    """POST ``body`` in two chunks (``Transfer-Encoding: chunked``), the whole request in one write: the
    server may answer from the headers alone and close, and a later write of the body would then fail
    with a broken pipe (it did, now and then, under load)."""
    chunks = b"".join(b"%X\r\n%s\r\n" % (len(part), part) for part in (body[:5], body[5:])) + b"0\r\n\r\n"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head.encode() + chunks)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.getheader("Content-Type", ""), json.loads(response.read())


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
