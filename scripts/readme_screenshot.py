"""Take the README's screenshot (docs/img/dashboard.png) from a live `./dev run` server.

Run it from the checkout `./dev run` serves, while it runs (the same ADDR): it makes two agents with
`manage.py createagent`, records a fortnight of their work through the real API, starts two sessions'
timers, then signs in as the demo admin in Chromium (/usr/bin/chromium) and saves the dashboard.

    ADDR=127.0.0.1:8000 .venv/bin/python scripts/readme_screenshot.py

The browser's timezone is one where it is mid-afternoon now, so "Today" has finished work in it
whenever the script runs. Use a fresh demo database (rm -rf var before ./dev run): it adds entries.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent

# (days ago, topic, minutes, notes); weekends are skipped when they fall on one.
HISTORY = [
    (1, "Project Alpha", 95, "Refactor the billing export"),
    (2, "Research", 40, "Read the OAuth 2.1 draft"),
    (3, "Project Alpha", 150, "Fix the pagination bug"),
    (4, "Project Alpha", 60, "Review the pull request"),
    (6, "Research", 120, "Compare fuzzy matchers"),
    (8, "Project Alpha", 30, "Update the changelog"),
    (9, "Project Alpha", 110, "Add the CSV export"),
    (11, "Research", 75, "Benchmark the token endpoint"),
]

# One city per whole-hour offset from UTC-10 to UTC+13 (daylight saving time shifts some by an hour).
CITIES = [
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/Sao_Paulo",
    "Atlantic/South_Georgia",
    "Atlantic/Azores",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Brisbane",
    "Pacific/Noumea",
    "Pacific/Auckland",
    "Pacific/Tongatapu",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--addr", default=os.environ.get("ADDR") or "127.0.0.1:8000")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--no-seed", action="store_true", help="only take the screenshot (data already made)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "img" / "dashboard.png"))
    args = parser.parse_args()
    base = f"http://{args.addr}"
    password = (ROOT / "var" / f"demo-{args.username}-password.txt").read_text().strip()

    zone = _afternoon_zone()
    if not args.no_seed:
        _seed(base, args.username, datetime.now(zone))
    _shoot(base, args.username, password, str(zone), args.out)
    print(f"{args.out}: {Path(args.out).stat().st_size} bytes ({zone})")


def _seed(base: str, username: str, now: datetime) -> None:
    claude = _token(base, _agent_create(username, "Claude Code"))
    ci = _token(base, _agent_create(username, "GitHub Actions"))

    for days, topic, minutes, notes in HISTORY:
        day = now - timedelta(days=days)
        if day.weekday() >= 5:
            continue
        start = day.replace(hour=9, minute=30, second=0, microsecond=0)
        _log(base, claude, topic, minutes, notes, start, "github.com/acme/api", "")
    morning = now.replace(hour=9, minute=0, second=0, microsecond=0)
    _log(
        base,
        claude,
        "Project Alpha",
        85,
        "Triage the failing tests",
        morning,
        "github.com/acme/api",
        "b71e03",
    )
    _log(base, ci, "Research", 25, "nightly: matcher evaluation", morning + timedelta(hours=2), "", "")
    _start(base, claude, "Project Alpha", "Write the migration", now - timedelta(minutes=42), "b71e03", "web")
    _start(base, ci, "Research", "release: build and publish", now - timedelta(minutes=9), "ci-1842", "api")


def _afternoon_zone() -> ZoneInfo:
    """A well-known city's timezone where it is now between 14:00 and 17:00."""
    utc = datetime.now(UTC)
    for name in CITIES:
        if 14 <= utc.astimezone(ZoneInfo(name)).hour < 17:
            return ZoneInfo(name)
    return ZoneInfo("UTC")


def _agent_create(username: str, name: str) -> dict[str, str]:
    out = subprocess.run(  # noqa: S603 - a fixed command, no shell
        [sys.executable, "manage.py", "createagent", "--user", username, "--name", name],
        cwd=ROOT,
        env={"DEBUG": "1", **os.environ},  # as ./dev run sets it, for the same SQLite database
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def _token(base: str, credentials: dict[str, str]) -> str:
    form = urllib.parse.urlencode({"grant_type": "client_credentials", **credentials}).encode()
    return _call(base, "/api/oauth/token", form=form)["access_token"]


def _log(
    base: str, token: str, topic: str, minutes: int, notes: str, start: datetime, repo: str, session: str
) -> None:
    source = {"client": "claude-code", "repository": repo, "branch": "main", "session": session}
    if not repo:
        source = {"client": "github-actions"}
    elif not session:
        del source["session"]
    body = {
        "topic": topic,
        "duration_minutes": minutes,
        "notes": notes,
        "start_time": start.isoformat(),
        "source": source,
    }
    _call(base, "/api/agent/time", token=token, body=body)


def _start(base: str, token: str, topic: str, notes: str, at: datetime, session: str, repo: str) -> None:
    source = {"repository": f"github.com/acme/{repo}", "branch": "main"}
    body = {"topic": topic, "notes": notes, "at": at.isoformat(), "source": source}
    _call(base, "/api/agent/timer/start", token=token, body=body, session=session)


def _call(
    base: str, path: str, *, token: str = "", body: Any = None, form: bytes | None = None, session: str = ""
) -> Any:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if session:
        headers["X-Teeckin-Session"] = session
    data = json.dumps(body).encode() if body is not None else form
    # The base URL is http://ADDR, built above: no other scheme reaches these.
    request = urllib.request.Request(base + path, data=data, headers=headers, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read() or b"null")


def _shoot(base: str, username: str, password: str, zone: str, out: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        page = browser.new_page(timezone_id=zone, viewport={"width": 1280, "height": 1045})
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1500)  # the chart's entry animation
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        # The first screenful (running timers, today, this week, the chart): the whole page is over 200 KB.
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main()
