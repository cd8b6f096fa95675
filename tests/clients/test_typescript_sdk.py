"""The TypeScript SDK's own suite (node's test runner, clients/typescript/test) against a live server.

The server is pytest-django's ``live_server`` on the test database; this test creates the cast the
Node tests expect and passes the URL and real credentials in the environment.
"""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

from apps.agents.services import api_key_create
from apps.organizations.models import Membership, Organization
from tests.clients.node import TYPESCRIPT_DIR, node_modules_ready, npm_or_skip
from tests.conftest import make_hourly_entries, make_topic, make_user
from tests.fixtures.auth import make_agent
from tests.fixtures.webhooks import deliveries_in_the_server

PAGED_FROM = datetime(2026, 1, 5, tzinfo=UTC)
PAGED_COUNT = 230


def _cast() -> dict[str, str]:
    acme = Organization.objects.create(name="Acme", plan=Organization.Plan.ENTERPRISE)
    owner = make_user("olivia", acme, Membership.Role.OWNER)
    alpha = make_topic(acme, "Project Alpha", "Client Work")
    make_topic(acme, "Project Beta", "Client Work")
    make_topic(acme, "Research", "Internal")
    make_hourly_entries(owner, alpha, PAGED_FROM, PAGED_COUNT)
    agent = make_agent(owner, "TypeScript SDK", scopes=("agent", "webhooks"))
    return {
        "TEECKIN_TEST_CLIENT_ID": agent.client_id,
        "TEECKIN_TEST_CLIENT_SECRET": agent.client_secret,
        "TEECKIN_TEST_API_KEY": api_key_create(user=owner, name="TypeScript SDK").plaintext,
        "PAGED_FROM": PAGED_FROM.date().isoformat(),
        "PAGED_TO": (PAGED_FROM + timedelta(hours=PAGED_COUNT)).date().isoformat(),
        "PAGED_COUNT": str(PAGED_COUNT),
    }


def test_the_typescript_sdk_suite_passes_against_a_live_server(live_server: Any, transactional_db: None):
    npm = npm_or_skip()
    node_modules_ready(npm)
    subprocess.run([npm, "run", "build", "--silent"], cwd=TYPESCRIPT_DIR, check=True, timeout=300)
    env = {**os.environ, "TEECKIN_TEST_URL": live_server.url, **_cast()}
    # Webhook deliveries run in the server's process (no Celery worker here), so the Node test's receiver
    # gets the real signed request.
    with deliveries_in_the_server():
        result = subprocess.run(
            ["node", "--test", "--test-reporter=spec", "test/"],
            cwd=TYPESCRIPT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "# fail 0" in result.stdout or "fail 0" in result.stdout
