"""schemathesis, every check, against the schema a live gunicorn publishes: no server error, no answer
outside the schema, no request the schema calls valid refused (docs/api.md, "Input validation").

gunicorn rather than Django's live server: the same run takes a few times longer there (its responses
wait on delayed TCP acknowledgements), and gunicorn is what production runs. It serves the test database,
so the test needs PostgreSQL (another process cannot open SQLite's in-memory test database)."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from apps.clocked_times.services import clocked_time_create
from apps.tags.models import Tag
from apps.timer.services import timer_start
from apps.webhooks.subscriptions import endpoint_create
from tests.api.servers import gunicorn, run_database_url
from tests.conftest import make_topic, requires_postgres
from tests.fixtures.auth import make_agent, token_form

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Examples per operation in the fuzzing and stateful phases (the coverage phase derives its own cases from
# the schema). Bounded so the run takes about a minute; raise it locally for a deeper search.
MAX_EXAMPLES = 10
SEED = 1


def _live_token(base_url: str, form: dict[str, str]) -> str:
    request = urllib.request.Request(f"{base_url}/api/oauth/token", urllib.parse.urlencode(form).encode())
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access_token"]


def test_schemathesis_finds_no_server_error_and_no_schema_violation(owner, org, topic, tmp_path, httpserver):
    # Something to find and change: topics, a tag, a finished entry, a running timer, a webhook.
    make_topic(org, "Project Beta", "Internal")
    Tag.objects.create(organization=org, name="review")
    end = timezone.now() - timedelta(hours=3)
    clocked_time_create(
        user=owner, organization=org, topic=topic, start_time=end - timedelta(hours=1), end_time=end
    )
    timer_start(user=owner, organization=org, topic=topic)
    endpoint_create(organization=org, url=httpserver.url_for("/hook"), events=["time_entry.created"])
    agent = make_agent(owner, "Fuzzer", scopes=("agent", "webhooks"))

    # Rate limits off in the server: thousands of requests from one agent would otherwise be mostly 429s.
    # No request-line limit: gunicorn answers a URL over 4 KB itself with 414 (gunicorn.conf.py, not in
    # the schema's operations); the longest valid query (a 1,000-character repository, percent-encoded)
    # is longer than that.
    with gunicorn(
        "--limit-request-line", "0", DATABASE_URL=run_database_url(), RATELIMIT_ENABLE="0"
    ) as base_url:
        token = _live_token(base_url, token_form(agent, "agent webhooks"))
        result = subprocess.run(
            _command(base_url, token), capture_output=True, text=True, timeout=900, cwd=tmp_path, check=False
        )

    summary = [line for line in result.stdout.splitlines() if "generated" in line or "passed in" in line]
    print("\n".join(summary))  # the figures docs/benchmarks.md quotes (pytest -s shows them)
    assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-5000:]


def _command(base_url: str, token: str) -> list[str]:
    return [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{base_url}/api/v1/schema?format=json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--no-color",
    ]
