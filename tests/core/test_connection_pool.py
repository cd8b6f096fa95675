"""Requests through the ASGI app reuse database connections (Django's pool) instead of connecting anew.

Without the pool, a connection is kept per thread at best (CONN_MAX_AGE); Django's ASGI handler ran every
request in a thread of its own, so every request forked a PostgreSQL backend, which capped timer status at
a fifth of its throughput (benchmarks/http_vs_bare.py). The live server here closes connections after each
request (CONN_MAX_AGE 0), so only the pool keeps the count of new sessions down.
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
