"""Under ASGI, requests reuse database connections (Django's pool), instead of connecting anew each time.

Django's ASGI handler runs every request's code in a thread of its own, and a connection kept per thread
(CONN_MAX_AGE) then serves one request only: every request forked a PostgreSQL backend, which capped the
timer status endpoint at a fifth of its throughput under uvicorn (benchmarks/http_vs_bare.py).
"""

from __future__ import annotations

import time
import urllib.request
from typing import Any

import psycopg
import pytest
from django.db import connection

from tests.conftest import requires_postgres
from tests.fixtures.auth import issue_token

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def _sessions_started() -> int:
    """Sessions PostgreSQL has opened on the test database so far (its own statistics)."""
    params = connection.get_connection_params()
    with psycopg.connect(
        host=params.get("host"), port=params.get("port"), user=params.get("user"), dbname="postgres"
    ) as admin:
        row = admin.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", [connection.settings_dict["NAME"]]
        ).fetchone()
    return row[0]


def test_requests_under_asgi_share_pooled_connections(asgi_server: Any, owner_agent: Any) -> None:
    assert connection.settings_dict["OPTIONS"].get("pool"), "the pool is on by default on PostgreSQL"
    token = issue_token(owner_agent)
    before = _sessions_started()
    for _ in range(30):
        request = urllib.request.Request(
            asgi_server.url + "/api/agent/timer", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
    time.sleep(1.5)  # PostgreSQL publishes a backend's counters at most once a second
    assert _sessions_started() - before <= 5
