"""Browser tests of the people's pages in real Chromium (Debian's package), against a live server.

Playwright's own browser download is not used: the browser is /usr/bin/chromium (.ci/run installs it).
The tests skip only when that browser is missing on a developer's machine; under CI (env CI set) a
missing browser is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Where a run that makes the docs' screenshots (scripts/screenshots) wants them; unset in normal runs.
SCREENSHOTS = os.environ.get("TEECKIN_SCREENSHOTS", "")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    browser = [item for item in items if _in_this_folder(item)]
    # Last: Playwright's event loop, once started, stays in the thread until the session ends, and Django
    # refuses database work inside a running loop.
    items[:] = [item for item in items if not _in_this_folder(item)] + browser
    if CHROMIUM.exists() or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    for item in browser:
        item.add_marker(skip)


def _in_this_folder(item: pytest.Item) -> bool:
    return Path(__file__).parent in Path(item.path).parents


# Playwright's sync API runs an event loop in the test's thread; Django's ORM refuses to run inside one
# unless told that this (single-threaded test) use is fine. Only while this folder's tests run (setup to
# teardown), so it never reaches other tests' subprocesses: `check --deploy` rightly refuses it.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def pytest_runtest_setup(item: pytest.Item) -> None:
    os.environ[ASYNC_UNSAFE] = "true"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    try:
        return (yield)
    finally:
        os.environ.pop(ASYNC_UNSAFE, None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A zone far from UTC, so a page that forgot the person's timezone shows the wrong hours.
    return {**browser_context_args, "timezone_id": "Asia/Tokyo", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def shoot() -> Any:
    """Save a full-page screenshot for the docs when the run was asked for them."""

    def save(page: Any, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)

    return save


def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base_url}/")


def http(
    method: str,
    url: str,
    *,
    form: dict[str, str] | None = None,
    body: Any = None,
    token: str = "",
    headers: dict[str, str] | None = None,
) -> Any:
    """A request from outside the browser (an agent), over real HTTP to the live server."""
    headers = dict(headers or {})
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def token_for(base_url: str, client_id: str, secret: str) -> tuple[int, Any]:
    return http(
        "POST",
        f"{base_url}/api/oauth/token",
        form={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
