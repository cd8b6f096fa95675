"""/api/webhooks: organization admins manage their own organization's endpoints (agents with a token
carrying the "webhooks" scope; tests/webhooks/test_scopes.py covers the scope itself)."""

import pytest
from django.test import override_settings

from apps.webhooks import signing
from apps.webhooks.models import WebhookEndpoint
from apps.webhooks.subscriptions import endpoint_create
from tests.webhooks.conftest import hooks_client


@pytest.fixture
def url(httpserver) -> str:
    return httpserver.url_for("/hook")


def test_create_returns_the_secret_once(owner_hooks_api, org, url):
    response = owner_hooks_api.post(
        "/api/webhooks", {"url": url, "events": ["time_entry.started", "time_entry.stopped"]}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["id"].startswith("whk-") and body["url"] == url
    assert body["events"] == ["time_entry.started", "time_entry.stopped"]
    assert body["active"] is True and body["secret"].startswith("whsec_")
    endpoint = WebhookEndpoint.objects.get(pk=body["id"])
    assert endpoint.organization == org
    assert body["secret"] not in endpoint.secret_encrypted
    assert signing.secret_decrypt(endpoint.secret_encrypted) == body["secret"]

    again = owner_hooks_api.get(f"/api/webhooks/{body['id']}").json()
    assert "secret" not in again and body["secret"] not in str(owner_hooks_api.get("/api/webhooks").json())


def test_list_shows_only_the_organizations_endpoints(owner_hooks_api, org, other_org, url):
    mine, _ = endpoint_create(organization=org, url=url, events=["project.created"])
    endpoint_create(organization=other_org, url=url, events=["project.created"])
    response = owner_hooks_api.get("/api/webhooks")
    assert response.status_code == 200
    assert [hook["id"] for hook in response.json()["webhooks"]] == [mine.id]


def test_patch_changes_events_and_can_re_enable(owner_hooks_api, org, url):
    endpoint, _ = endpoint_create(organization=org, url=url, events=["project.created"])
    endpoint.active, endpoint.disabled_reason = False, "The receiver answered 410 Gone."
    endpoint.save()
    response = owner_hooks_api.patch(
        f"/api/webhooks/{endpoint.id}", {"events": ["user.joined"], "active": True}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["events"] == ["user.joined"]
    assert response.json()["active"] is True and response.json()["disabledReason"] == ""


def test_delete_removes_the_endpoint(owner_hooks_api, org, url):
    endpoint, _ = endpoint_create(organization=org, url=url, events=["project.created"])
    assert owner_hooks_api.delete(f"/api/webhooks/{endpoint.id}").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=endpoint.id).exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_organizations_endpoint_is_not_found(outsider, org, url, method):
    outsider_hooks_api = hooks_client(outsider, "Outsider's integration")
    endpoint, _ = endpoint_create(organization=org, url=url, events=["project.created"])
    # A body for the PATCH only: the test client would put a GET's data in the query string, where an
    # unknown parameter is refused (400) before the id is looked at.
    body = {"events": ["user.joined"]} if method == "patch" else None
    response = getattr(outsider_hooks_api, method)(f"/api/webhooks/{endpoint.id}", body, format="json")
    assert response.status_code == 404
    assert response.json()["code"] == "WEBHOOK_NOT_FOUND"
    endpoint.refresh_from_db()
    assert endpoint.events == ["project.created"]


def test_an_unknown_id_is_not_found(owner_hooks_api):
    response = owner_hooks_api.get("/api/webhooks/whk-doesnotexist")
    assert response.status_code == 404 and response.json()["code"] == "WEBHOOK_NOT_FOUND"


@pytest.mark.parametrize("method,path", [("get", "/api/webhooks"), ("post", "/api/webhooks")])
def test_members_who_are_not_admins_are_refused(teammate, method, path, url):
    teammate_hooks_api = hooks_client(teammate, "Teammate's integration")
    # No body on the GET: the test client would send it as (unknown, so refused) query parameters.
    body = {"url": url, "events": ["project.created"]} if method == "post" else None
    response = getattr(teammate_hooks_api, method)(path, body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "ADMIN_REQUIRED"
    assert WebhookEndpoint.objects.count() == 0


def test_a_member_cannot_read_an_endpoint_by_id(teammate, org, url):
    teammate_hooks_api = hooks_client(teammate, "Teammate's integration")
    endpoint, _ = endpoint_create(organization=org, url=url, events=["project.created"])
    assert teammate_hooks_api.get(f"/api/webhooks/{endpoint.id}").status_code == 403


@pytest.mark.parametrize(
    "payload,code",
    [
        ({"events": ["time_entry.started"]}, "VALIDATION_ERROR"),
        ({"url": "URL", "events": ["time_entry.exploded"]}, "VALIDATION_ERROR"),
        ({"url": "URL", "events": []}, "VALIDATION_ERROR"),
        ({"url": "URL", "events": "time_entry.started"}, "VALIDATION_ERROR"),
        ({"url": "not a url", "events": ["time_entry.started"]}, "WEBHOOK_URL_REFUSED"),
    ],
)
def test_bad_input_is_refused_with_the_envelope(owner_hooks_api, url, payload, code):
    if payload.get("url") == "URL":
        payload = {**payload, "url": url}
    response = owner_hooks_api.post("/api/webhooks", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["error"]
    assert WebhookEndpoint.objects.count() == 0


@override_settings(WEBHOOKS_ALLOW_LOOPBACK_HTTP=False)
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/h",
        "https://10.0.0.1/h",
        "https://169.254.169.254/h",
        "https://[::1]/h",
        "https://localhost/h",
    ],
)
def test_unsafe_urls_are_refused_in_production(owner_hooks_api, url):
    response = owner_hooks_api.post(
        "/api/webhooks", {"url": url, "events": ["time_entry.started"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "WEBHOOK_URL_REFUSED"
    assert WebhookEndpoint.objects.count() == 0


@override_settings(WEBHOOKS_ALLOW_LOOPBACK_HTTP=False)
def test_patching_to_an_unsafe_url_is_refused(owner_hooks_api, org):
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK_HTTP=True):
        endpoint, _ = endpoint_create(
            organization=org, url="http://127.0.0.1:9/h", events=["project.created"]
        )
    response = owner_hooks_api.patch(
        f"/api/webhooks/{endpoint.id}", {"url": "https://10.0.0.1/h"}, format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "WEBHOOK_URL_REFUSED"
    endpoint.refresh_from_db()
    assert endpoint.url == "http://127.0.0.1:9/h"


def test_the_number_of_endpoints_is_capped(owner_hooks_api, org, url, settings):
    settings.WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION = 2
    for _ in range(2):
        endpoint_create(organization=org, url=url, events=["project.created"])
    response = owner_hooks_api.post(
        "/api/webhooks", {"url": url, "events": ["project.created"]}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "WEBHOOK_LIMIT_REACHED"


def test_disabling_by_hand_says_so_and_editing_keeps_a_410_reason(owner_hooks_api, org, url):
    endpoint, _ = endpoint_create(organization=org, url=url, events=["project.created"])
    body = owner_hooks_api.patch(f"/api/webhooks/{endpoint.id}", {"active": False}, format="json").json()
    assert body["active"] is False and body["disabledReason"] == "Disabled by an administrator."

    endpoint.refresh_from_db()
    endpoint.disabled_reason = "The receiver answered 410 Gone."
    endpoint.save()
    body = owner_hooks_api.patch(
        f"/api/webhooks/{endpoint.id}", {"events": ["user.joined"]}, format="json"
    ).json()
    assert body["disabledReason"] == "The receiver answered 410 Gone." and body["active"] is False


def test_without_credentials_the_answer_is_401(db):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/webhooks")
    assert response.status_code == 401 and response.json()["code"] == "UNAUTHENTICATED"
