"""Production defaults that are safe without anyone thinking of them (issue 9, "Production defaults")."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.organizations.models import Organization
from apps.ratelimits.buckets import plan_rate
from tests.fixtures.auth import AgentCredentials, api_client_for, token_form

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.base",
    "DEBUG": "0",
    "SECRET_KEY": "k7Qz-3vN_pL9xR2mW8tY4uE6iO1aS5dF0gH7jK2lZ9xC3vB6nM8qW1eR4tY7uI0oP",
    "ALLOWED_HOSTS": "teeckin.example.com",
}


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_redis_fails_the_system_check() -> None:
    env = {k: v for k, v in PRODUCTION.items()}
    result = _python(
        "import django, sys; from django.core.management import call_command; django.setup(); "
        "call_command('check')",
        **env,
        REDIS_URL="",
    )
    assert result.returncode != 0
    assert "teeckin.E001" in result.stderr and "REDIS_URL" in result.stderr


def test_sqlite_writers_queue_instead_of_failing_database_is_locked(tmp_path: Path) -> None:
    """Two transactions that each read, then write: with SQLite's default deferred transactions the
    second writer fails "database is locked" at once (its read lock cannot be upgraded); IMMEDIATE
    transactions take the write lock at BEGIN, so the second one waits its turn."""
    script = textwrap.dedent(
        """
        import threading, time, django
        django.setup()
        from django.db import connection, transaction
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE counter (n integer)")
            cursor.execute("INSERT INTO counter VALUES (0)")
        connection.close()
        errors, first_has_read = [], threading.Event()
        def bump(first):
            try:
                if not first:
                    first_has_read.wait(timeout=1)
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SELECT n FROM counter")
                        if first:
                            first_has_read.set()
                            time.sleep(0.3)
                        cursor.execute("UPDATE counter SET n = n + 1")
            except Exception as error:
                errors.append(repr(error))
            finally:
                connection.close()
        threads = [threading.Thread(target=bump, args=(first,)) for first in (True, False)]
        for thread in threads: thread.start()
        for thread in threads: thread.join()
        with connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            print("count", cursor.fetchone()[0], "errors", errors)
        """
    )
    result = _python(
        script, **PRODUCTION, DATABASE_URL=f"sqlite:///{tmp_path / 'race.sqlite3'}", REDIS_URL=""
    )
    assert result.returncode == 0, result.stderr
    assert "count 2 " in result.stdout and "locked" not in result.stdout, result.stdout


def test_a_new_organization_is_on_the_unlimited_plan(db: None) -> None:
    organization = Organization.objects.create(name="Self-hosted Inc.")
    assert organization.plan == Organization.Plan.ENTERPRISE
    assert plan_rate(organization.pk) is None


def test_api_json_is_never_stored_by_a_cache(owner_api: APIClient, owner_agent: AgentCredentials) -> None:
    responses = [
        owner_api.get("/api/agent/timer"),  # 200
        APIClient().get("/api/agent/timer"),  # 401
        owner_api.get("/api/no/such/thing"),  # 404
        Client().post("/api/oauth/token", token_form(owner_agent)),  # a token
    ]
    for response in responses:
        assert response["Content-Type"].startswith("application/json")
        assert "no-store" in response["Cache-Control"], response


@pytest.mark.parametrize("path", ["/api/agent/timer", "/api/oauth/token", "/api/v1/topics"])
def test_plain_http_to_the_api_is_refused_not_redirected(path: str, settings: Any, db: None) -> None:
    settings.SECURE_SSL_REDIRECT = True
    client = Client(enforce_csrf_checks=True)

    response = client.post(path, {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION="Bearer tat_x")

    assert response.status_code == 403
    assert "Location" not in response
    assert response.json()["code"] == "HTTPS_REQUIRED"
    assert set(response.json()) == {"error", "code", "details"}


def test_over_https_the_api_answers_and_pages_are_still_redirected(
    settings: Any, owner_agent: AgentCredentials
) -> None:
    settings.SECURE_SSL_REDIRECT = True
    assert Client().post("/api/oauth/token", token_form(owner_agent), secure=True).status_code == 200
    page = Client().get("/admin/login/")
    assert page.status_code == 301 and page["Location"].startswith("https://")


def test_hsts_preload_is_opt_in() -> None:
    default = _python(
        "from config.settings import base; print(base.SECURE_HSTS_PRELOAD, base.SECURE_HSTS_SECONDS)",
        **PRODUCTION,
    )
    opted_in = _python(
        "from config.settings import base; print(base.SECURE_HSTS_PRELOAD)",
        **PRODUCTION,
        SECURE_HSTS_PRELOAD="1",
    )
    assert default.stdout.split() == ["False", "31536000"], default.stderr
    assert opted_in.stdout.strip() == "True", opted_in.stderr


def test_the_missing_credential_challenge_has_no_error_code(owner_agent: AgentCredentials) -> None:
    bare = APIClient().get("/api/agent/timer")
    refused = APIClient().get("/api/agent/timer", HTTP_AUTHORIZATION="Bearer tat_unknown")
    assert bare["WWW-Authenticate"] == 'Bearer realm="teeckin"'
    assert refused["WWW-Authenticate"] == 'Bearer realm="teeckin", error="invalid_token"'
    assert api_client_for(owner_agent).get("/api/agent/timer").status_code == 200


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs"])
def test_admin_and_docs_pages_carry_a_strict_content_security_policy(path: str, db: None) -> None:
    response = Client().get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert b"<script>" not in response.content and b"<style>" not in response.content
