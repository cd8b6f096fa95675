"""Who may open which page: sign-in, roles, and another organization's ids (404 everywhere)."""

from __future__ import annotations

import pytest
from django.test import Client

from apps.agents.models import AgentSecret, ApiKey
from apps.agents.services import api_key_create
from apps.organizations.models import Membership
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.fixtures.auth import make_agent
from tests.web.conftest import add_entry, csrf_post, signed_in

MEMBER_PAGES = [
    "/",
    "/timesheet/",
    "/reports/",
    "/reports/export.csv",
    "/settings/agents/",
    "/settings/api-keys/",
    "/settings/profile/",
]
ADMIN_PAGES = ["/settings/topics/"]
OWNER_PAGES = ["/settings/organization/"]


@pytest.mark.parametrize("url", MEMBER_PAGES + ADMIN_PAGES + OWNER_PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        ("member", "/settings/topics/", 403),
        ("member", "/settings/organization/", 403),
        ("admin", "/settings/topics/", 200),
        ("admin", "/settings/organization/", 403),
        ("owner", "/settings/organization/", 200),
        *[("member", url, 200) for url in MEMBER_PAGES],
    ],
)
def test_roles(org, teammate, role, url, status):
    Membership.objects.filter(user=teammate).update(role=role)
    response = signed_in(teammate).get(url)
    assert response.status_code == status


def test_a_refused_page_says_why(teammate_web):
    response = teammate_web.get("/settings/organization/")
    assert response.status_code == 403
    assert b"owners" in response.content


def test_an_account_without_organization_is_refused(db):
    from tests.conftest import make_user

    loner = make_user("lonely", None)
    assert signed_in(loner).get("/").status_code == 403


def test_a_member_cannot_change_roles_or_topics(teammate_web, owner, topic):
    target = Membership.objects.get(user=owner)
    assert (
        csrf_post(
            teammate_web, f"/settings/organization/members/{target.pk}/role", {"role": "member"}
        ).status_code
        == 403
    )
    assert (
        csrf_post(teammate_web, f"/settings/topics/{topic.id}/archive", {"archived": "1"}).status_code == 403
    )
    target.refresh_from_db()
    topic.refresh_from_db()
    assert target.role == "owner" and not topic.archived


def test_posts_need_the_csrf_token(owner_web):
    response = owner_web.post("/settings/api-keys/", {"name": "ci"})
    assert response.status_code == 403
    assert not ApiKey.objects.exists()


@pytest.fixture
def outsiders_things(outsider, outsider_topic):
    credentials = make_agent(outsider, "Globex bot")
    entry = add_entry(outsider, outsider_topic, hours_ago=1)
    key = api_key_create(user=outsider, name="globex key").api_key
    endpoint = WebhookEndpoint.objects.create(
        organization=outsider_topic.organization,
        url="https://example.com/h",
        events=["time_entry.created"],
        secret_encrypted="x",
    )
    event = WebhookEvent.objects.create(
        organization=outsider_topic.organization,
        name="time_entry.created",
        body="{}",
        created_at=entry.start_time,
    )
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint, retry_until=entry.start_time)
    secret = AgentSecret.objects.filter(agent=credentials.agent).get()
    return {
        "agent": credentials.agent,
        "secret": secret,
        "entry": entry,
        "key": key,
        "topic": outsider_topic,
        "membership": Membership.objects.get(user=outsider),
        "delivery": delivery,
    }


def test_another_organizations_ids_are_not_found(owner_web, outsiders_things):
    things = outsiders_things
    agent = things["agent"].client_id
    gets = [
        f"/settings/agents/{agent}/",
        f"/settings/agents/{agent}/secrets/",
        f"/timesheet/entries/{things['entry'].id}",
        f"/timesheet/entries/{things['entry'].id}/edit",
    ]
    for url in gets:
        assert owner_web.get(url).status_code == 404, url
    posts = [
        f"/settings/agents/{agent}/secrets/rotate",
        f"/settings/agents/{agent}/secrets/{things['secret'].pk}/revoke",
        f"/settings/agents/{agent}/active",
        f"/settings/api-keys/{things['key'].pk}/revoke",
        f"/timesheet/entries/{things['entry'].id}/edit",
        f"/timesheet/entries/{things['entry'].id}/delete",
        f"/settings/topics/{things['topic'].id}/archive",
        f"/settings/organization/members/{things['membership'].pk}/role",
        f"/settings/organization/members/{things['membership'].pk}/remove",
        f"/settings/organization/deliveries/{things['delivery'].id}/redeliver",
    ]
    for url in posts:
        assert (
            csrf_post(owner_web, url, {"role": "member", "archived": "1", "active": "0"}).status_code == 404
        ), url
    things["agent"].refresh_from_db()
    things["secret"].refresh_from_db()
    things["key"].refresh_from_db()
    assert things["agent"].active and things["secret"].revoked_at is None and things["key"].revoked_at is None
    assert AgentSecret.objects.filter(agent=things["agent"]).count() == 1
    things["membership"].refresh_from_db()
    assert things["membership"].role == "owner"


def test_another_organizations_time_is_not_in_my_pages(owner_web, outsiders_things, owner, topic):
    add_entry(owner, topic, hours_ago=1, notes="acme work")
    things = outsiders_things
    things["entry"].notes = "globex secret"
    things["entry"].save()
    for url in ["/", "/timesheet/", "/reports/?group_by=member", "/settings/agents/"]:
        content = owner_web.get(url).content
        assert b"globex secret" not in content and b"oscar" not in content and b"Globex" not in content, url
    csv = b"".join(owner_web.get("/reports/export.csv?rows=entry").streaming_content)
    assert b"acme work" in csv and b"globex secret" not in csv


def test_a_member_cannot_manage_a_teammates_agent(teammate_web, owner_agent):
    assert teammate_web.get(f"/settings/agents/{owner_agent.client_id}/").status_code == 404
    assert (
        csrf_post(teammate_web, f"/settings/agents/{owner_agent.client_id}/secrets/rotate").status_code == 404
    )


def test_an_admin_manages_a_teammates_agent(admin_web, teammate_agent):
    response = admin_web.get(f"/settings/agents/{teammate_agent.client_id}/secrets/")
    assert response.status_code == 200
    assert b"Rotate" in response.content


def test_a_member_sees_only_their_own_time_in_reports(teammate_web, owner, teammate, topic):
    add_entry(owner, topic, hours_ago=1, notes="olivia's", minutes=50)
    add_entry(teammate, topic, hours_ago=3, notes="tom's", minutes=20)
    csv = b"".join(teammate_web.get("/reports/export.csv?rows=entry").streaming_content).decode()
    assert "tom's" in csv and "olivia's" not in csv
    assert "olivia" not in teammate_web.get("/reports/?group_by=member").content.decode()


def test_a_member_cannot_edit_a_teammates_entry(teammate_web, owner, topic):
    entry = add_entry(owner, topic, hours_ago=2)
    assert teammate_web.get(f"/timesheet/entries/{entry.id}/edit").status_code == 404
    assert csrf_post(teammate_web, f"/timesheet/entries/{entry.id}/delete").status_code == 404
    entry.refresh_from_db()


def test_a_signed_out_htmx_request_sends_the_window_to_sign_in(db):
    response = Client().post(
        "/timers/ct-x/stop",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/timesheet/?view=week",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Ftimesheet%2F%3Fview%3Dweek"
