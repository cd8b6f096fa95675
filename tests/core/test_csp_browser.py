"""Swagger UI and the admin still work under the Content-Security-Policy, in real Chromium.

A policy that blocks what a page needs shows no error in a unit test: the page just stays blank. So the
browser loads each page from a live server and the test reads the rendered DOM and the console's
"Refused to ..." messages.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium (CI installs it: .ci/run)")


def render(url: str, tmp_path: Any) -> tuple[str, str]:
    """(DOM after scripts ran, browser log) of ``url`` in headless Chromium."""
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path}",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=90,
    )
    return result.stdout, result.stderr


def csp_violations(log: str) -> list[str]:
    return [line for line in log.splitlines() if "Content Security Policy" in line]


def test_swagger_ui_renders_every_operation_under_the_policy(live_server: Any, tmp_path: Any) -> None:
    dom, log = render(f"{live_server.url}/api/docs", tmp_path)

    assert csp_violations(log) == []
    assert 'class="swagger-ui' in dom  # Swagger UI's scripts ran
    assert "/api/agent/timer/start" in dom  # and rendered the operations of the schema they fetched


def test_the_admin_login_page_runs_under_the_policy(live_server: Any, tmp_path: Any) -> None:
    dom, log = render(f"{live_server.url}/admin/login/", tmp_path)

    assert csp_violations(log) == []
    assert 'name="username"' in dom
