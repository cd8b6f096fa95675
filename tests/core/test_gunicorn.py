"""Gunicorn's own answers (a request line over its limit, a worker killed for overrunning its timeout)
are the JSON envelope, with the repository's gunicorn.conf.py, on a real gunicorn."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.deps import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gunicorn() -> Iterator[int]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "2",
            "tests.core.slow_wsgi:app",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    yield port
    process.terminate()
    process.wait(10)


def exchange(port: int, raw: bytes, timeout: float = 15) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(raw)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return status, headers, body


def test_a_request_line_over_the_limit_is_a_json_414(gunicorn: int) -> None:
    status, headers, body = exchange(gunicorn, b"GET /api/" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status.startswith("HTTP/1.1 414")
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["code"] == "URI_TOO_LONG"
    assert set(json.loads(body)) == {"error", "code", "details"}


def test_a_malformed_request_is_a_json_400(gunicorn: int) -> None:
    status, _, body = exchange(gunicorn, b"NOT HTTP AT ALL\r\n\r\n")
    assert status.startswith("HTTP/1.1 400")
    assert json.loads(body)["code"] == "MALFORMED_REQUEST"


def test_a_worker_killed_for_its_timeout_answers_503_first(gunicorn: int) -> None:
    started = time.monotonic()
    status, headers, body = exchange(gunicorn, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    assert time.monotonic() - started < 10
    assert status.startswith("HTTP/1.1 503")
    assert headers["retry-after"] == "5"
    assert json.loads(body)["code"] == "SERVICE_UNAVAILABLE", body
    # The master replaced the worker: the next request is served.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if exchange(gunicorn, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[0].endswith(
                "200 OK"
            ):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("no worker answered after the timeout")
