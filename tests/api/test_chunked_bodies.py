"""A ``Transfer-Encoding: chunked`` body is refused with 411 in the envelope by the servers we run on,
instead of being read as empty ("field is required")."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn_port() -> Iterator[int]:
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "teeckin.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "teeckin.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


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
