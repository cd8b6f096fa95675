"""A live Teeckin server for the CLI and hook tests, reached through a TCP proxy the test can stop.

The server is pytest-django's ``live_server`` (this process, the test database); the ``teeckin`` command
runs as a subprocess, the installed console script, with its own config and state directories. Stopping
the proxy makes the server unreachable exactly as a stopped server is (connection refused) without
tearing the server down.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from apps.organizations.models import Membership, Organization
from tests.conftest import make_topic, make_user
from tests.fixtures.auth import AgentCredentials, make_agent


class TcpProxy:
    """Forwards 127.0.0.1:port to the live server; ``down()`` closes the port, ``up()`` reopens it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = 0
        self._listener: socket.socket | None = None
        self._connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _close(listener)  # shutdown() wakes the thread blocked in accept(); close() alone would not
        with self._lock:
            for connection in self._connections:
                _close(connection)
            self._connections.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._connections += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(sink)


def teeckin_command() -> str:
    """The installed console script: beside this interpreter (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "teeckin"
    found = str(beside) if beside.exists() else shutil.which("teeckin")
    assert found, "the teeckin distribution is not installed (pip install ./clients/python)"
    return found


@dataclass
class Cli:
    env: dict[str, str]
    state: Path

    def __call__(self, *args: str, stdin: str | None = None, timeout: float = 60) -> Any:
        return subprocess.run(
            [teeckin_command(), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
            check=False,
        )

    def json(self, *args: str) -> Any:
        done = self(*args, "--json")
        assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
        return json.loads(done.stdout)

    def journal(self) -> list[dict[str, Any]]:
        path = self.state / "journal.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.fixture
def proxy(live_server: Any, settings: Any) -> Iterator[TcpProxy]:
    # Rate limits are tested on their own; a CLI test must not trip the 10-a-minute timer bucket.
    settings.RATELIMIT_ENABLE = False
    proxy = TcpProxy(int(live_server.url.rsplit(":", 1)[1]))
    yield proxy
    proxy.down()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The command with a fresh home: no stored login, no keyring (so the 0600 file is used)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEECKIN_", "CLAUDE_PLUGIN_OPTION_", "DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        HOME=str(tmp_path / "home"),
        TEECKIN_CONFIG_DIR=str(tmp_path / "config"),
        TEECKIN_STATE_DIR=str(tmp_path / "state"),
        TEECKIN_KEYRING="0",
    )
    return Cli(env=env, state=tmp_path / "state")


@dataclass
class Cast:
    organization: Organization
    user: Any
    agent: AgentCredentials


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    organization = Organization.objects.create(name="Acme", plan=Organization.Plan.ENTERPRISE)
    user = make_user("olivia", organization, Membership.Role.OWNER)
    make_topic(organization, "Project Alpha", "Client Work")
    make_topic(organization, "Research", "Internal")
    return Cast(organization=organization, user=user, agent=make_agent(user, "Olivia's laptop"))
