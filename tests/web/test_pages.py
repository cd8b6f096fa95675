"""What the pages do: each write goes through the services, refusals land next to their field."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.agents.models import Agent, AgentSecret, ApiKey
from apps.clocked_times.models import ClockedTime
from apps.organizations.models import Membership
from apps.topics.models import Topic
from apps.web.csvexport import cell_safe
from apps.web.models import Profile
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.fixtures.auth import AgentCredentials, api_client_for, issue_token
from tests.web.conftest import add_entry, csrf_post

LOCAL = "%Y-%m-%dT%H:%M"


def _local(value) -> str:
    return timezone.localtime(value).strftime(LOCAL)


# --- Sign in, timezone


def test_sign_in_takes_the_browsers_timezone_once(owner):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "olivia", "password": "pw-olivia", "timezone": "Asia/Tokyo"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert Profile.objects.get(user=owner).timezone == "Asia/Tokyo"
    # A zone the person chose is not overridden by the next browser's.
    Client().post(
        "/accounts/login/", {"username": "olivia", "password": "pw-olivia", "timezone": "Europe/Paris"}
    )
    assert Profile.objects.get(user=owner).timezone == "Asia/Tokyo"


def test_a_wrong_password_is_refused(owner):
    response = Client().post("/accounts/login/", {"username": "olivia", "password": "nope"})
    assert response.status_code == 200
    assert b"didn't match" in response.content


def test_pages_speak_the_persons_timezone(owner_web, owner, topic):
    Profile.objects.create(user=owner, timezone="Pacific/Kiritimati")  # UTC+14
    entry = add_entry(owner, topic, hours_ago=1)
    content = owner_web.get(f"/timesheet/entries/{entry.id}/edit").content.decode()
    local = entry.start_time.astimezone(__import__("zoneinfo").ZoneInfo("Pacific/Kiritimati"))
    assert local.strftime(LOCAL) in content


def test_profile_refuses_an_unknown_zone(owner_web, owner):
    response = csrf_post(owner_web, "/settings/profile/", {"timezone": "Mars/Olympus"})
    assert response.status_code == 400
    assert b"Unknown timezone" in response.content
    assert csrf_post(owner_web, "/settings/profile/", {"timezone": "Europe/Berlin"}).status_code == 302
    assert Profile.objects.get(user=owner).timezone == "Europe/Berlin"


def test_password_reset_sends_a_mail(owner):
    owner.email = "olivia@example.com"
    owner.save()
    response = Client().post("/accounts/password_reset/", {"email": "olivia@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/accounts/reset/" in mail.outbox[0].body


def test_sign_out(owner_web):
    response = csrf_post(owner_web, "/accounts/logout/")
    assert response.status_code == 302
    assert owner_web.get("/").status_code == 302


# --- Dashboard


def test_dashboard_shows_the_running_timer_and_stops_it(owner_web, owner, owner_api, topic):
    assert owner_api.post("/api/timer/start", {"topicId": topic.id}, format="json").status_code in (200, 201)
    page = owner_web.get("/").content.decode()
    assert "Project Alpha" in page and "Owner&#x27;s Claude Code" in page and ">Stop<" in page
    running = ClockedTime.objects.get(user=owner, end_time__isnull=True)
    response = csrf_post(owner_web, f"/timers/{running.id}/stop", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "No timer is running." in response.content.decode()
    assert not ClockedTime.objects.filter(user=owner, end_time__isnull=True).exists()


def test_dashboard_totals(owner_web, owner, topic, research):
    add_entry(owner, topic, hours_ago=0.6, minutes=30)
    add_entry(owner, research, hours_ago=2, minutes=75)
    page = owner_web.get("/").content.decode()
    assert "1h 15m" in page and "0h 30m" in page


# --- Timesheet


def _entry_data(topic: Topic, start, end, **extra) -> dict:
    return {
        "topic": topic.id,
        "start_time": _local(start),
        "end_time": _local(end),
        "notes": "",
        "tags": "",
        **extra,
    }


def test_a_manual_entry_is_added_with_tags(owner_web, owner, topic):
    now = timezone.now().replace(second=0, microsecond=0)
    data = _entry_data(
        topic, now - timedelta(hours=2), now - timedelta(hours=1), notes="docs", tags="docs, Review"
    )
    assert csrf_post(owner_web, "/timesheet/entries/new", data).status_code == 302
    entry = ClockedTime.objects.get(user=owner)
    assert entry.type == "manual" and entry.notes == "docs" and entry.duration_minutes == 60
    assert sorted(tag.name for tag in entry.tags.all()) == ["Review", "docs"]


def test_the_24_hour_limit_shows_next_to_the_end(owner_web, owner, topic):
    now = timezone.now().replace(second=0, microsecond=0)
    data = _entry_data(topic, now - timedelta(hours=30), now - timedelta(hours=1), tags="fresh-tag")
    response = csrf_post(owner_web, "/timesheet/entries/new", data)
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert 'id="new_end_time"' in field and "at most 24 hours" in field
    assert not ClockedTime.objects.exists()
    # The tag named in the refused entry was rolled back with it.
    assert not owner.membership.organization.tags.filter(name="fresh-tag").exists()


def test_an_overlap_is_refused_when_the_organization_forbids_it(owner_web, owner, topic, no_overlaps):
    existing = add_entry(owner, topic, hours_ago=3, minutes=60)
    data = _entry_data(
        topic, existing.start_time + timedelta(minutes=30), existing.end_time + timedelta(minutes=30)
    )
    response = csrf_post(owner_web, "/timesheet/entries/new", data)
    assert response.status_code == 400
    field = re.search(r'<div class="field has-error">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert 'id="new_start_time"' in field and "overlaps" in field


def test_inline_edit_through_htmx(owner_web, owner, topic, research):
    entry = add_entry(owner, topic, hours_ago=3, minutes=60)
    form = owner_web.get(f"/timesheet/entries/{entry.id}/edit", HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and b"<form" in form.content and b"<html" not in form.content
    data = _entry_data(
        research, entry.start_time, entry.end_time - timedelta(minutes=15), notes="edited", tags="x"
    )
    row = csrf_post(owner_web, f"/timesheet/entries/{entry.id}/edit", data, HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and b"Research" in row.content and b"edited" in row.content
    entry.refresh_from_db()
    assert entry.topic == research and entry.duration_minutes == 45 and entry.notes == "edited"


def test_inline_edit_shows_a_refusal_in_the_form(owner_web, owner, topic):
    entry = add_entry(owner, topic, hours_ago=3, minutes=60)
    data = _entry_data(topic, entry.end_time, entry.start_time)
    response = csrf_post(owner_web, f"/timesheet/entries/{entry.id}/edit", data, HTTP_HX_REQUEST="true")
    assert b"must be after" in response.content and b"has-error" in response.content
    entry.refresh_from_db()
    assert entry.duration_minutes == 60


def test_delete(owner_web, owner, topic):
    entry = add_entry(owner, topic, hours_ago=3)
    assert (
        csrf_post(owner_web, f"/timesheet/entries/{entry.id}/delete", HTTP_HX_REQUEST="true").content == b""
    )
    assert not ClockedTime.objects.filter(pk=entry.id).exists()


def test_week_view_and_filters(owner_web, owner, topic, research, owner_agent):
    add_entry(owner, topic, hours_ago=1, minutes=90, agent=owner_agent.agent, notes="agent-work")
    add_entry(owner, research, hours_ago=3, minutes=30, notes="manual-work")
    week = owner_web.get("/timesheet/?view=week").content.decode()
    assert "Project Alpha" in week and "1h 30m" in week and "2h 00m" in week
    only_agent = owner_web.get(f"/timesheet/?agent={owner_agent.client_id}").content.decode()
    assert "agent-work" in only_agent and "manual-work" not in only_agent
    only_research = owner_web.get(f"/timesheet/?topic={research.id}").content.decode()
    assert "manual-work" in only_research and "agent-work" not in only_research


def test_an_admin_switches_to_a_members_timesheet(admin_web, teammate, topic):
    add_entry(teammate, topic, hours_ago=1, notes="tom's work")
    assert "tom&#x27;s work" not in admin_web.get("/timesheet/").content.decode()
    page = admin_web.get("/timesheet/?member=tom").content.decode()
    assert "tom&#x27;s work" in page
    assert "Delete" not in page.split("tom&#x27;s work")[1][:400]  # read-only: not the admin's entry


# --- Reports and CSV


@pytest.mark.parametrize("value", ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value):
    assert cell_safe(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "a=b", "", 42, 1.5])
def test_other_cells_are_untouched(value):
    assert cell_safe(value) == value


def test_csv_per_entry_and_per_group(owner_web, owner, topic, owner_agent):
    add_entry(owner, topic, hours_ago=1, minutes=30, notes='=HYPERLINK("http://x")', agent=owner_agent.agent)
    add_entry(owner, topic, hours_ago=3, minutes=15, notes="@evil")
    response = owner_web.get("/reports/export.csv?rows=entry")
    assert response["Content-Type"].startswith("text/csv") and response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["notes"] for row in rows] == ["'@evil", '\'=HYPERLINK("http://x")']
    assert [row["minutes"] for row in rows] == ["15", "30"]
    assert rows[1]["agent"] == "Owner's Claude Code"
    grouped = list(
        csv.reader(io.StringIO(b"".join(owner_web.get("/reports/export.csv").streaming_content).decode()))
    )
    assert grouped == [["topic", "hours", "minutes", "entries"], ["Project Alpha", "0.75", "45", "2"]]


def test_a_topic_name_cannot_smuggle_a_formula(owner_web, owner, org):
    from tests.conftest import make_topic

    sneaky = make_topic(org, "-1+cmd", "=Cat")
    add_entry(owner, sneaky, hours_ago=1)
    body = b"".join(owner_web.get("/reports/export.csv?group_by=category").streaming_content).decode()
    assert "'=Cat" in body
    body = b"".join(owner_web.get("/reports/export.csv?rows=entry").streaming_content).decode()
    assert "'-1+cmd" in body and "'=Cat" in body


def test_report_page_groups(owner_web, owner, topic, research):
    add_entry(owner, topic, hours_ago=1, minutes=60)
    add_entry(owner, research, hours_ago=3, minutes=30)
    page = owner_web.get("/reports/?group_by=category").content.decode()
    assert "Client Work" in page and "Internal" in page and "1h 30m" in page
    bad = owner_web.get("/reports/?group_by=nonsense&start=banana")
    assert bad.status_code == 200 and b"Select a valid choice" in bad.content


# --- Settings > Agents


def test_create_an_agent_shows_its_secret_once_and_it_works(owner_web, owner, topic):
    response = csrf_post(
        owner_web,
        "/settings/agents/",
        {"name": "Nightly bot", "default_topic": topic.id, "scopes": ["agent", "webhooks"]},
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    secret = re.search(r'<code id="client-secret">([^<]+)</code>', page).group(1)
    agent = Agent.objects.get(name="Nightly bot")
    assert agent.default_topic == topic and agent.allowed_scopes == "agent webhooks" and agent.user == owner
    assert "claude mcp add --transport http teeckin http://testserver/mcp" in page
    assert f"-d client_id={agent.client_id}" in page
    token = issue_token(AgentCredentials(agent=agent, client_id=agent.client_id, client_secret=secret))
    assert token.startswith("tat_")
    # Never again: the agent's pages show prefixes only.
    for url in [
        f"/settings/agents/{agent.client_id}/",
        f"/settings/agents/{agent.client_id}/secrets/",
        "/settings/agents/",
    ]:
        assert secret not in owner_web.get(url).content.decode()


def test_rotate_and_revoke(owner_web, owner_agent):
    base = f"/settings/agents/{owner_agent.client_id}/secrets"
    rotated = csrf_post(owner_web, f"{base}/rotate")
    new_secret = re.search(r'<code id="client-secret">([^<]+)</code>', rotated.content.decode()).group(1)
    assert AgentSecret.objects.filter(agent=owner_agent.agent).count() == 2
    old = AgentSecret.objects.filter(agent=owner_agent.agent).order_by("created_at").first()
    old_client = api_client_for(owner_agent)
    assert csrf_post(owner_web, f"{base}/{old.pk}/revoke").status_code == 302
    assert old_client.get("/api/timer/active").status_code in (401, 403)
    assert (
        APIClient()
        .post(
            "/api/oauth/token",
            {
                "grant_type": "client_credentials",
                "client_id": owner_agent.client_id,
                "client_secret": owner_agent.client_secret,
            },
        )
        .status_code
        == 401
    )
    new = AgentCredentials(agent=owner_agent.agent, client_id=owner_agent.client_id, client_secret=new_secret)
    assert issue_token(new).startswith("tat_")
    page = owner_web.get(f"{base}/").content.decode()
    assert old.prefix in page and new_secret[:8] in page


def test_deactivate_reactivate_and_settings(owner_web, owner_agent, topic):
    url = f"/settings/agents/{owner_agent.client_id}"
    client = api_client_for(owner_agent)
    assert csrf_post(owner_web, f"{url}/active", {"active": "0"}).status_code == 302
    assert client.get("/api/timer/active").status_code == 403
    assert csrf_post(owner_web, f"{url}/active", {"active": "1"}).status_code == 302
    assert client.get("/api/timer/active").status_code == 200
    assert (
        csrf_post(owner_web, f"{url}/", {"default_topic": topic.id, "scopes": ["webhooks"]}).status_code
        == 302
    )
    owner_agent.agent.refresh_from_db()
    assert owner_agent.agent.default_topic == topic and owner_agent.agent.allowed_scopes == "agent webhooks"


def test_agents_list_shows_kind_owner_and_status(admin_web, owner_agent, teammate_agent):
    page = admin_web.get("/settings/agents/").content.decode()
    assert "Owner&#x27;s Claude Code" in page and "Teammate&#x27;s Cursor" in page
    assert "secret-based" in page and "olivia" in page and "tom" in page


def test_api_keys_created_once_and_revoked(teammate_web, teammate):
    response = csrf_post(teammate_web, "/settings/api-keys/", {"name": "ci"})
    key = re.search(r'<code id="api-key">([^<]+)</code>', response.content.decode()).group(1)
    assert APIClient().get("/api/timer/active", HTTP_X_API_KEY=key).status_code == 200
    assert key not in teammate_web.get("/settings/api-keys/").content.decode()
    stored = ApiKey.objects.get(user=teammate)
    assert csrf_post(teammate_web, f"/settings/api-keys/{stored.pk}/revoke").status_code == 302
    assert APIClient().get("/api/timer/active", HTTP_X_API_KEY=key).status_code == 401


# --- Settings > Topics and Organization


def test_topics_admin(admin_web, org, topic):
    assert (
        csrf_post(admin_web, "/settings/topics/", {"action": "category", "category-name": "Ops"}).status_code
        == 302
    )
    category = org.categories.get(name="Ops")
    data = {"action": "topic", "topic-name": "On-call", "topic-category": category.id}
    assert csrf_post(admin_web, "/settings/topics/", data).status_code == 302
    taken = csrf_post(admin_web, "/settings/topics/", {**data, "topic-name": "on-call"})
    assert taken.status_code == 400 and b"already exists" in taken.content
    assert csrf_post(admin_web, f"/settings/topics/{topic.id}/archive", {"archived": "1"}).status_code == 302
    topic.refresh_from_db()
    assert topic.archived
    assert (
        csrf_post(
            admin_web, "/settings/topics/", {"action": "guidance", "guidance": "Ops for pages."}
        ).status_code
        == 302
    )
    org.refresh_from_db()
    assert org.guidance == "Ops for pages."


def test_organization_owner(owner_web, org, owner, teammate):
    policies = {"max_timer_hours": "4", "idle_stop_minutes": "30", "idle_stop_sessionless_minutes": "0"}
    assert csrf_post(owner_web, "/settings/organization/", policies).status_code == 302
    org.refresh_from_db()
    assert (org.max_timer_hours, org.allow_overlaps, org.idle_stop_minutes) == (4, False, 30)
    bad = csrf_post(
        owner_web, "/settings/organization/", {**policies, "max_timer_hours": "900", "allow_overlaps": "on"}
    )
    assert bad.status_code == 400
    org.refresh_from_db()
    assert org.max_timer_hours == 4 and org.allow_overlaps is False
    membership = Membership.objects.get(user=teammate)
    csrf_post(owner_web, f"/settings/organization/members/{membership.pk}/role", {"role": "admin"})
    membership.refresh_from_db()
    assert membership.role == "admin"
    mine = Membership.objects.get(user=owner)
    csrf_post(owner_web, f"/settings/organization/members/{mine.pk}/role", {"role": "member"})
    mine.refresh_from_db()
    assert mine.role == "owner"
    csrf_post(owner_web, f"/settings/organization/members/{membership.pk}/remove")
    assert not Membership.objects.filter(user=teammate).exists()


def test_delivery_log_and_redeliver(owner_web, org, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpoint.objects.create(
        organization=org, url="https://example.com/hook", events=["time_entry.created"], secret_encrypted="x"
    )
    event = WebhookEvent.objects.create(
        organization=org, name="time_entry.created", body="{}", created_at=timezone.now()
    )
    delivery = WebhookDelivery.objects.create(
        event=event,
        endpoint=endpoint,
        status="failed",
        attempt_count=15,
        last_status_code=500,
        retry_until=timezone.now(),
    )
    page = owner_web.get("/settings/organization/").content.decode()
    assert "https://example.com/hook" in page and "HTTP 500" in page and "failed" in page
    with django_capture_on_commit_callbacks(execute=False):
        assert (
            csrf_post(owner_web, f"/settings/organization/deliveries/{delivery.id}/redeliver").status_code
            == 302
        )
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.retry_until > timezone.now()


# --- Provenance (branch sessions): parallel sessions, where the work happened


def _start(client, topic, session: str, repository: str):
    body = {
        "topicId": topic.id,
        "source": {"client": "claude-code", "repository": repository, "branch": "main"},
    }
    response = client.post("/api/timer/start", body, format="json", headers={"X-Teeckin-Session": session})
    assert response.status_code in (200, 201), response.content
    return ClockedTime.objects.get(session=session, end_time__isnull=True)


def test_parallel_sessions_each_show_and_stop_on_their_own(owner_web, owner, owner_api, topic, research):
    first = _start(owner_api, topic, "sess-one", "github.com/acme/api")
    second = _start(owner_api, research, "sess-two", "github.com/acme/web")
    page = owner_web.get("/").content.decode()
    assert "github.com/acme/api@main" in page and "github.com/acme/web@main" in page
    assert "session sess-one" in page and "session sess-two" in page
    response = csrf_post(owner_web, f"/timers/{first.id}/stop", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.end_time is not None and second.end_time is None
    assert "github.com/acme/web" in response.content.decode()


def test_provenance_in_timesheet_filter_and_csv(owner_web, owner, topic):
    add_entry(
        owner,
        topic,
        hours_ago=2,
        notes="in api",
        source_repository="github.com/acme/api",
        source_branch="fix-1",
        session="s-1",
        source_client="claude-code",
    )
    add_entry(owner, topic, hours_ago=4, notes="in web", source_repository="github.com/acme/web")
    sheet = owner_web.get("/timesheet/?repository=github.com/acme/api").content.decode()
    assert "in api" in sheet and "in web" not in sheet and "github.com/acme/api@fix-1" in sheet
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(owner_web.get("/reports/export.csv?rows=entry").streaming_content).decode())
        )
    )
    api_row = next(row for row in rows if row["notes"] == "in api")
    assert (api_row["repository"], api_row["branch"], api_row["session"], api_row["client"]) == (
        "github.com/acme/api",
        "fix-1",
        "s-1",
        "claude-code",
    )


def test_stopping_someone_elses_timer_is_not_found(teammate_web, owner, owner_api, topic):
    running = _start(owner_api, topic, "sess-x", "github.com/acme/api")
    assert csrf_post(teammate_web, f"/timers/{running.id}/stop").status_code == 404
    running.refresh_from_db()
    assert running.end_time is None


# --- Aliases and repository bindings (branch matching)


def test_aliases_and_repository_bindings(admin_web, org, topic, research, owner_api):
    assert csrf_post(admin_web, f"/settings/topics/{topic.id}/aliases", {"name": "PA"}).status_code == 302
    alias = topic.aliases.get()
    assert alias.name == "PA"
    # Names and aliases share one namespace: a clash is refused and said.
    csrf_post(admin_web, f"/settings/topics/{research.id}/aliases", {"name": "project alpha"})
    assert not research.aliases.exists()
    assert "already" in admin_web.get("/settings/topics/").content.decode()
    assert (
        csrf_post(
            admin_web, f"/settings/topics/{research.id}/repositories", {"pattern": "acme/web"}
        ).status_code
        == 302
    )
    binding = research.repositories.get()
    page = admin_web.get("/settings/topics/").content.decode()
    assert ">PA<" in page and binding.pattern in page
    # Agents see the effect: the alias resolves to its topic.
    started = owner_api.post("/api/agent/timer/start", {"topic": "PA"}, format="json")
    assert started.status_code in (200, 201), started.content
    assert started.json()["topic"]["id"] == topic.id
    assert csrf_post(admin_web, f"/settings/topics/aliases/{alias.id}/remove").status_code == 302
    assert csrf_post(admin_web, f"/settings/topics/repositories/{binding.id}/remove").status_code == 302
    assert not topic.aliases.exists() and not research.repositories.exists()


def test_aliases_and_bindings_of_another_organization_are_not_found(
    admin_web, outsider_topic, teammate_web, topic
):
    from apps.topics.services import topic_alias_create, topic_repository_add

    alias = topic_alias_create(topic=outsider_topic, name="GSP")
    binding = topic_repository_add(topic=outsider_topic, pattern="globex/secret")
    for url in [
        f"/settings/topics/{outsider_topic.id}/aliases",
        f"/settings/topics/{outsider_topic.id}/repositories",
        f"/settings/topics/aliases/{alias.id}/remove",
        f"/settings/topics/repositories/{binding.id}/remove",
    ]:
        assert csrf_post(admin_web, url, {"name": "x", "pattern": "x/y"}).status_code == 404, url
    assert outsider_topic.aliases.count() == 1 and outsider_topic.repositories.count() == 1
    # And members may not change them at all.
    assert csrf_post(teammate_web, f"/settings/topics/{topic.id}/aliases", {"name": "zz"}).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/timesheet/",
        "/timesheet/?view=week",
        "/reports/",
        "/settings/agents/",
        "/settings/api-keys/",
        "/settings/topics/",
        "/settings/organization/",
        "/settings/profile/",
    ],
)
def test_pages_are_ready_for_a_strict_content_security_policy(owner_web, owner, topic, url):
    add_entry(owner, topic, hours_ago=1, notes="<script>alert(1)</script>")
    content = owner_web.get(url).content.decode()
    assert 'style="' not in content
    assert re.findall(r"\son[a-z]+=", content) == []  # no inline event handlers
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", content) == []  # scripts only from static files
    assert "<script>alert(1)</script>" not in content  # notes are escaped
