"""Shared pieces of the reliability benchmarks (redis_frozen_writes.py, postgres_outage.py).

They run the real service as production does (gunicorn with gunicorn.conf.py, a Celery worker) against
private Redis and PostgreSQL servers they start on free ports and stop, freeze or kill themselves; the
shared servers of a development machine are never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.deps import PrivateRedis as _TestsPrivateRedis  # noqa: E402
from tests.fixtures.deps import free_port  # noqa: E402

PYTHON = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class PrivateRedis(_TestsPrivateRedis):
    """The tests' private redis-server (tests/fixtures/deps.py), in its own temporary directory."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="teeckin-bench-redis-")
        super().__init__(self.dir)

    def stop(self) -> None:
        super().stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivatePostgres:
    """A throw-away cluster (initdb in a temporary directory), trust authentication, on a free port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="teeckin-bench-pg-")
        self.data = os.path.join(self.dir, "data")
        subprocess.run(
            [PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            check=True,
            stdout=subprocess.DEVNULL,
            **self._as_owner(),
        )
        self.start()
        subprocess.run(
            [PG_BIN / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "teeckin"],
            check=True,
        )

    def _as_owner(self) -> dict[str, Any]:
        # PostgreSQL refuses to run as root: as root, run it as the owner of the temporary directory.
        if os.geteuid() != 0:
            return {}
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(self.dir, user.pw_uid, user.pw_gid)
        return {"user": user.pw_uid, "group": user.pw_gid}

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/teeckin"

    def start(self) -> None:
        subprocess.run(
            [
                PG_BIN / "pg_ctl",
                "-D",
                self.data,
                "-o",
                f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1",
                "-l",
                os.path.join(self.dir, "log"),
                "-w",
                "start",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **self._as_owner(),
        )

    def stop(self) -> None:
        subprocess.run(
            [PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            **self._as_owner(),
        )

    def pids(self) -> list[int]:
        """The postmaster and every process it started (to freeze them all, as a paused host would)."""
        with open(os.path.join(self.data, "postmaster.pid")) as file:
            main = int(file.readline())
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(main)], capture_output=True, text=True)
        return [main, *(int(pid) for pid in children.stdout.split())]

    def signal_all(self, sig: int) -> None:
        for pid in self.pids():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)

    def remove(self) -> None:
        self.signal_all(signal.SIGCONT)
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def service_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reliability_settings",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'benchmarks'}",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "WEBHOOKS_ALLOW_LOOPBACK_HTTP": "1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "ERROR",
    }
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return result.stdout


SETUP = """
import json
from django.contrib.auth import get_user_model
from apps.agents.services import agent_create
from apps.organizations.models import Membership, Organization
from apps.topics.models import Category, Topic
from apps.webhooks.services import EVENT_NAMES, endpoint_create
org = Organization.objects.create(name="Bench")
user = get_user_model().objects.create_user(username="bench", password="x")
Membership.objects.create(user=user, organization=org, role=Membership.Role.OWNER)
category = Category.objects.create(organization=org, name="Work")
Topic.objects.create(organization=org, category=category, name="Bench")
agent, issued = agent_create(user=user, name="bench")
if "{hook}":
    endpoint_create(organization=org, url="{hook}", events=["time_entry.created"])
print(json.dumps({{"client_id": agent.client_id, "client_secret": issued.plaintext}}))
"""


def setup_agent(env: dict[str, str], hook_url: str = "") -> dict[str, str]:
    manage(env, "migrate", "--noinput")
    out = manage(env, "shell", "-v", "0", "-c", SETUP.format(hook=hook_url))
    return json.loads(out.strip().splitlines()[-1])


def start_gunicorn(env: dict[str, str], workers: int = 2) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "config.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return process, f"http://127.0.0.1:{port}"


def http(
    method: str,
    url: str,
    *,
    data: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    token: str | None = None,
    timeout: float = 60,
) -> tuple[int, dict[str, str], bytes]:
    headers = {}
    body = None
    if data is not None:
        body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
    if form is not None:
        body = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def token_for(base: str, credentials: dict[str, str]) -> str:
    status, _, body = http(
        "POST", f"{base}/api/oauth/token", form={"grant_type": "client_credentials", **credentials}
    )
    assert status == 200, body
    return json.loads(body)["access_token"]


class Receiver:
    """A webhook receiver that answers 200 and remembers every webhook-id it got."""

    def __init__(self) -> None:
        ids: list[str] = []
        self.ids = ids

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's method name
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                ids.append(self.headers["webhook-id"])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def stop(process: subprocess.Popen[Any]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
