"""The people's pages in real Chromium: what a person does, end to end, with agents on real tokens."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.agents.models import Agent, AgentSecret
from apps.clocked_times.models import ClockedTime
from tests.browser.conftest import http, sign_in, token_for
from tests.conftest import make_entry
from tests.fixtures.auth import make_agent

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_and_out(page: Page, live_server, owner):
    sign_in(page, live_server.url, "olivia", "pw-olivia")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server.url}/timesheet/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/timesheet/"))


def test_a_wrong_password_stays_on_the_sign_in_page(page: Page, live_server, owner):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("didn't match")


def test_an_agents_timers_show_on_the_dashboard_and_one_stops_from_it(
    page: Page, live_server, owner, topic, research, shoot
):
    credentials = make_agent(owner, "Claude Code")
    status, token = token_for(live_server.url, credentials.client_id, credentials.client_secret)
    assert status == 200
    access = token["access_token"]
    # Two Claude Code sessions at once, each with its own timer and saying where it works.
    for session, repository, item in [
        ("4f2a9c", "github.com/acme/api", topic),
        ("b71e03", "github.com/acme/web", research),
    ]:
        status, _ = http(
            "POST",
            f"{live_server.url}/api/timer/start",
            body={
                "topicId": item.id,
                "source": {"client": "claude-code", "repository": repository, "branch": "main"},
            },
            token=access,
            headers={"X-Teeckin-Session": session},
        )
        assert status in (200, 201)
    # Some history for the totals and the 14-day chart.
    now = timezone.now()
    for days, minutes in [(1, 95), (2, 40), (3, 150), (5, 60), (8, 120), (12, 30)]:
        make_entry(
            owner,
            topic,
            start=now - timedelta(days=days, hours=2),
            minutes=minutes,
            agent=credentials.agent,
            notes="Refactoring",
            session="4f2a9c",
            source_client="claude-code",
            source_repository="github.com/acme/api",
        )

    sign_in(page, live_server.url, "olivia", "pw-olivia")
    running = page.locator("#running")
    api_timer = running.locator(".running-timer", has_text="github.com/acme/api")
    expect(api_timer).to_contain_text("Project Alpha")
    expect(api_timer).to_contain_text("by Claude Code")
    expect(api_timer).to_contain_text("session 4f2a9c")
    expect(api_timer.locator(".elapsed")).to_have_text(re.compile(r"^\d+:\d\d:\d\d$"))
    expect(running.locator(".running-timer", has_text="github.com/acme/web")).to_contain_text("Research")
    expect(page.locator("table.entries-table")).to_contain_text("github.com/acme/api")
    expect(page.locator("canvas[data-drawn]")).to_have_count(1)  # Chart.js drew the 14-day chart
    shoot(page, "dashboard")

    api_timer.get_by_role("button", name=re.compile("^Stop")).click()
    expect(running).to_contain_text("Timer stopped.")
    expect(running.locator(".running-timer")).to_have_count(1)
    # Only that session's timer stopped, as the agent's own stop would; the other session's still runs.
    status, active = http(
        "GET", f"{live_server.url}/api/timer/active", token=access, headers={"X-Teeckin-Session": "4f2a9c"}
    )
    assert status == 200 and active["active"] is False
    still = ClockedTime.objects.get(user=owner, end_time__isnull=True)
    assert still.session == "b71e03" and still.topic == research


def test_edit_an_entry_inline(page: Page, live_server, owner, topic, research):
    start = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=3)
    entry = make_entry(owner, topic, start=start, minutes=60, notes="first draft")
    sign_in(page, live_server.url, "olivia", "pw-olivia")
    page.get_by_role("link", name="Timesheet").click()
    row = page.locator(f"#entry-{entry.id}")
    expect(row).to_contain_text("first draft")
    row.get_by_role("link", name=re.compile("^Edit")).click()
    editor = page.locator(f"#entry-{entry.id} form")
    editor.get_by_label("Topic").select_option(label="Research")
    editor.get_by_label("Notes").fill("final version")
    editor.get_by_label("Tags").fill("review")
    # An end before the start is refused next to the End field, and nothing changes.
    end_field = editor.get_by_label("End")
    good_end = end_field.input_value()
    end_field.fill(editor.get_by_label("Start").input_value())
    editor.get_by_role("button", name="Save").click()
    expect(page.locator(f"#entry-{entry.id} .has-error")).to_contain_text("must be after")
    page.locator(f"#entry-{entry.id} form").get_by_label("End").fill(good_end)
    page.locator(f"#entry-{entry.id} form").get_by_role("button", name="Save").click()
    expect(row.locator("form.inline-form")).to_have_count(0)  # the row is back, not the editor
    expect(row).to_contain_text("final version")
    expect(row).to_contain_text("Research")
    entry.refresh_from_db()
    assert entry.topic == research and entry.notes == "final version"
    assert [tag.name for tag in entry.tags.all()] == ["review"]
    # Times went through the person's zone (the browser's, Asia/Tokyo, taken at sign-in) and back to UTC.
    assert entry.start_time == start and entry.end_time == start + timedelta(hours=1)


def test_run_a_report_and_download_its_csv(page: Page, live_server, owner, teammate, topic, research, shoot):
    now = timezone.now()
    for user, item, minutes, notes in [
        (owner, topic, 90, "=1+2"),
        (owner, research, 30, "reading"),
        (teammate, topic, 60, "pairing"),
    ]:
        make_entry(user, item, start=now - timedelta(hours=3), minutes=minutes, notes=notes)
    sign_in(page, live_server.url, "olivia", "pw-olivia")
    page.get_by_role("link", name="Reports").click()
    page.get_by_label("Group by").select_option("member")
    page.get_by_role("button", name="Run report").click()
    table = page.locator("table.totals")
    expect(table).to_contain_text("olivia")
    expect(table).to_contain_text("2h 00m")
    expect(table).to_contain_text("tom")
    expect(page.locator("canvas[data-drawn]")).to_have_count(1)
    page.get_by_label("Group by").select_option("topic")
    page.get_by_role("button", name="Run report").click()
    shoot(page, "reports")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="one row per entry").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert sorted((row["member"], row["topic"], row["minutes"], row["notes"]) for row in rows) == [
        ("olivia", "Project Alpha", "90", "'=1+2"),
        ("olivia", "Research", "30", "reading"),
        ("tom", "Project Alpha", "60", "pairing"),
    ]
    with page.expect_download() as download_info:
        page.get_by_role("link", name="one row per topic").click()
    grouped = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert grouped == [
        ["topic", "hours", "minutes", "entries"],
        ["Project Alpha", "2.5", "150", "2"],
        ["Research", "0.5", "30", "1"],
    ]


def test_create_an_agent_and_use_its_secret(page: Page, live_server, owner, topic, shoot):
    make_agent(owner, "Nightly reports")
    sign_in(page, live_server.url, "olivia", "pw-olivia")
    page.get_by_role("link", name="Agents").first.click()
    page.get_by_label("Name").fill("Claude Code on my laptop")
    page.get_by_label("Default topic").select_option(label="Project Alpha")
    page.get_by_role("button", name="Create agent").click()
    expect(page.get_by_role("alert")).to_contain_text("will not be shown again")
    client_id = page.locator("#client-id").inner_text()
    secret = page.locator("#client-secret").inner_text()
    expect(page.locator("#snippet-claude")).to_contain_text(
        f"claude mcp add --transport http teeckin {live_server.url}/mcp"
    )
    expect(page.locator("#snippet-curl")).to_contain_text(secret)
    status, token = token_for(live_server.url, client_id, secret)
    assert status == 200 and token["access_token"].startswith("tat_")
    status, me = http("GET", f"{live_server.url}/api/agent/me", token=token["access_token"])
    assert status == 200 and me["agent"]["name"] == "Claude Code on my laptop"
    page.get_by_role("link", name="Done: go to its Secrets tab").click()
    expect(page.locator("table.secrets")).not_to_contain_text(secret)
    assert Agent.objects.get(client_id=client_id).default_topic == topic
    page.get_by_role("link", name="Agents").first.click()
    expect(page.locator("table.agents")).to_contain_text("Claude Code on my laptop")
    shoot(page, "settings-agents")


def test_rotate_and_revoke_on_the_secrets_tab(page: Page, live_server, owner):
    credentials = make_agent(owner, "CI bot")
    old_prefix = AgentSecret.objects.get(agent=credentials.agent).prefix
    sign_in(page, live_server.url, "olivia", "pw-olivia")
    page.goto(f"{live_server.url}/settings/agents/{credentials.client_id}/")
    page.get_by_role("link", name="Secrets").click()
    page.get_by_role("button", name="Rotate (new secret)").click()
    new_secret = page.locator("#client-secret").inner_text()
    assert token_for(live_server.url, credentials.client_id, new_secret)[0] == 200
    page.get_by_role("link", name="Done: go to its Secrets tab").click()
    expect(page.locator("tr.secret")).to_have_count(2)
    old_row = page.locator("tr.secret", has_text=old_prefix)
    old_row.get_by_role("button", name=re.compile("^Revoke")).click()
    expect(page.locator(".messages")).to_contain_text("revoked")
    expect(page.locator("tr.secret", has_text=old_prefix).get_by_role("button")).to_have_count(0)
    status, body = token_for(live_server.url, credentials.client_id, credentials.client_secret)
    assert status == 401 and body["error"] == "invalid_client"
    assert token_for(live_server.url, credentials.client_id, new_secret)[0] == 200


def test_a_member_is_refused_an_admin_page(page: Page, live_server, teammate):
    sign_in(page, live_server.url, "tom", "pw-tom")
    expect(page.get_by_role("link", name="Topics")).to_have_count(0)
    response = page.goto(f"{live_server.url}/settings/topics/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_phone_width_keeps_the_stop_button_reachable(page: Page, live_server, owner, topic):
    page.set_viewport_size({"width": 375, "height": 740})
    credentials = make_agent(owner, "Phone check")
    token = token_for(live_server.url, credentials.client_id, credentials.client_secret)[1]["access_token"]
    http("POST", f"{live_server.url}/api/timer/start", body={"topicId": topic.id}, token=token)
    sign_in(page, live_server.url, "olivia", "pw-olivia")
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_be_in_viewport()
    page.keyboard.press("Tab")  # the skip link comes first for keyboard users
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    for url in [
        "/",
        "/timesheet/",
        "/reports/",
        "/settings/agents/",
        "/settings/api-keys/",
        "/settings/topics/",
        "/settings/organization/",
    ]:
        page.goto(f"{live_server.url}{url}")
        # Nothing wider than the phone: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
