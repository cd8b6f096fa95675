"""Odd and hostile input gets a 4xx in the envelope, never a 500, an HTML page or a partial write."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.tags.models import Tag
from apps.timer.services import timer_start
from apps.webhooks.subscriptions import endpoint_create
from tests.fixtures.auth import issue_token, token_form


def _envelope(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"error", "code", "details"} and body["error"], body
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def csrf_client(owner_agent) -> Client:
    """A browser-like client: Django's test client skips CSRF checks unless told not to."""
    client = Client(enforce_csrf_checks=True)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(owner_agent)}"
    return client


def _iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Dates and times: one rule (apps/core/api/fields.py) for every endpoint


@pytest.mark.parametrize(
    "start_time",
    ["9999-12-31T23:00:00Z", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z", "1999-12-31T23:59:59Z"],
)
def test_agent_time_refuses_a_start_outside_the_window(owner_api, topic, start_time):
    response = owner_api.post(
        "/api/agent/time",
        {"topic": topic.id, "duration_minutes": 30, "start_time": start_time},
        format="json",
    )
    body = _envelope(response, 400, "VALIDATION_ERROR")
    assert "start_time" in body["details"]
    assert not ClockedTime.objects.exists()


def test_a_time_more_than_a_minute_ahead_is_refused_with_the_window_in_the_message(owner_api, topic):
    ahead = timezone.now() + timedelta(minutes=5)
    response = owner_api.post(
        "/api/clocked-times",
        {"topicId": topic.id, "startTime": _iso(ahead - timedelta(hours=1)), "endTime": _iso(ahead)},
        format="json",
    )
    body = _envelope(response, 400, "VALIDATION_ERROR")
    assert body["details"]["endTime"] == ["Must be between 2000-01-01T00:00:00Z and a minute from now."]


@pytest.mark.parametrize(
    "query", ["end_date=9999-12-31", "start_date=9999-12-31", "start_date=0001-01-01", "end_date=1999-12-31"]
)
def test_the_list_refuses_dates_outside_the_window(owner_api, query):
    body = _envelope(owner_api.get(f"/api/clocked-times?{query}"), 400, "VALIDATION_ERROR")
    assert "between 2000-01-01 and tomorrow" in body["error"]


def test_the_list_accepts_tomorrow_for_clients_ahead_of_utc(owner_api):
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert owner_api.get(f"/api/clocked-times?end_date={tomorrow}").status_code == 200


@pytest.mark.parametrize("naive", ["2026-01-05T09:00:00", "2026-01-05T09:00"])
def test_naive_times_are_refused_everywhere(owner_api, owner, topic, naive):
    running = timer_start(user=owner, organization=topic.organization, topic=topic)
    calls = [
        ("post", "/api/agent/time", {"topic": topic.id, "duration_minutes": 5, "start_time": naive}),
        (
            "post",
            "/api/clocked-times",
            {"topicId": topic.id, "startTime": naive, "endTime": _iso(timezone.now())},
        ),
        ("patch", f"/api/clocked-times/{running.started.id}", {"endTime": naive}),
    ]
    for method, path, payload in calls:
        body = _envelope(getattr(owner_api, method)(path, payload, format="json"), 400, "VALIDATION_ERROR")
        assert "give the UTC offset or Z" in body["error"], (path, body)
    assert ClockedTime.objects.count() == 1
    running.started.refresh_from_db()
    assert running.started.end_time is None


# --- Ids with a NUL byte: the <id:> converter, one place for every endpoint and method


@pytest.mark.parametrize("collection", ["topics", "categories", "tags", "clocked-times", "webhooks"])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_nul_byte_in_an_id_is_a_json_404(csrf_client, topic, collection, method):
    for prefix in ("/api/", "/api/v1/"):
        response = getattr(csrf_client, method)(
            f"{prefix}{collection}/top-abc%00def", content_type="application/json"
        )
        _envelope(response, 404, "NOT_FOUND")


# --- Bodies Django or the JSON parser refuse


def test_json_nested_past_the_recursion_limit_is_400(owner_api, topic):
    deep = '{"topic": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = owner_api.post("/api/agent/timer/start", deep, content_type="application/json")
    _envelope(response, 400, "MALFORMED_REQUEST")
    assert not ClockedTime.objects.exists()


def test_a_body_over_the_upload_limit_is_413(owner_api, topic):
    notes = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = owner_api.post("/api/agent/timer/start", {"topic": topic.id, "notes": notes}, format="json")
    _envelope(response, 413, "PAYLOAD_TOO_LARGE")
    assert not ClockedTime.objects.exists()


def test_a_form_over_the_upload_limit_at_the_token_endpoint_is_413(owner_agent):
    form = {**token_form(owner_agent), "padding": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    _envelope(Client().post("/api/oauth/token", form), 413, "PAYLOAD_TOO_LARGE")


def test_more_than_a_thousand_form_fields_at_the_token_endpoint_is_400(owner_agent):
    form = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    form += "&" + "&".join(f"{key}={value}" for key, value in token_form(owner_agent).items())
    response = Client().post("/api/oauth/token", form, content_type="application/x-www-form-urlencoded")
    _envelope(response, 400, "TOO_MANY_FIELDS")


def test_more_than_a_thousand_query_parameters_is_400(owner_api):
    query = "&".join(f"p{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    _envelope(owner_api.get(f"/api/clocked-times?{query}"), 400, "TOO_MANY_FIELDS")


# --- Unknown paths, CSRF, Host


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_to_an_unknown_api_path_are_the_json_404_not_a_csrf_page(csrf_client, method):
    response = getattr(csrf_client, method)("/api/v1/no-such-thing", "{}", content_type="application/json")
    _envelope(response, 404, "NOT_FOUND")
    # Without a credential too (a stray POST from a script or a browser).
    anonymous = getattr(Client(enforce_csrf_checks=True), method)("/api/no-such-thing")
    _envelope(anonymous, 404, "NOT_FOUND")


def test_a_bad_host_header_on_the_api_is_an_envelope_400(db):
    response = Client().get("/api/agent/me", HTTP_HOST="evil.example")
    _envelope(response, 400, "BAD_HOST")


def test_a_bad_host_header_outside_the_api_is_still_djangos_page(db):
    response = Client().get("/admin/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "application/json" not in response["Content-Type"]


# --- Unknown query parameters: refused on every endpoint, named in the answer


@pytest.mark.parametrize(
    "path",
    [
        "/api/clocked-times",
        "/api/v1/clocked-times",
        "/api/topics",
        "/api/tags",
        "/api/categories",
        "/api/timer/active",
        "/api/agent/timer",
        "/api/agent/topics",
        "/api/agent/me",
        "/api/topics/for-agent",
    ],
)
def test_unknown_query_parameters_are_refused_and_named(owner_api, path):
    body = _envelope(owner_api.get(f"{path}?project_id=x&page_size=5&Tag=y"), 400, "VALIDATION_ERROR")
    unknown = {"project_id", "Tag"} if "clocked-times" in path else {"project_id", "page_size", "Tag"}
    assert set(body["details"]) == unknown
    assert body["details"]["project_id"] == ["Unknown parameter."]


def test_unknown_query_parameters_are_refused_on_ids_and_writes(owner_api, owner, topic):
    entry = timer_start(user=owner, organization=topic.organization, topic=topic).started
    tag = Tag.objects.create(organization=topic.organization, name="review")
    for method, path in [
        ("get", f"/api/clocked-times/{entry.id}"),
        ("patch", f"/api/clocked-times/{entry.id}"),
        ("delete", f"/api/tags/{tag.id}"),
        ("post", "/api/agent/timer/stop"),
    ]:
        response = getattr(owner_api, method)(f"{path}?dry_run=1", {}, format="json")
        assert _envelope(response, 400)["details"] == {"dry_run": ["Unknown parameter."]}, path
    assert Tag.objects.filter(pk=tag.pk).exists()
    entry.refresh_from_db()
    assert entry.end_time is None


@pytest.mark.parametrize("path", ["/api/oauth/token", "/api/oauth/revoke"])
def test_the_oauth_endpoints_refuse_query_parameters_in_oauths_shape(owner_agent, path):
    response = Client().post(f"{path}?debug=1&token=x", token_form(owner_agent))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Unknown query parameters: debug, token.",
    }


def test_declared_query_parameters_still_filter(owner_api, owner, topic):
    timer_start(user=owner, organization=topic.organization, topic=topic)
    response = owner_api.get(f"/api/clocked-times?topic_id={topic.id}&page=1&page_size=10")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_webhook_list_refuses_unknown_query_parameters(owner, org, httpserver):
    from tests.webhooks.conftest import hooks_client

    endpoint_create(organization=org, url=httpserver.url_for("/hook"), events=["project.created"])
    api = hooks_client(owner, "Owner's integration")
    assert _envelope(api.get("/api/v1/webhooks?active=false"), 400)["details"] == {
        "active": ["Unknown parameter."]
    }


def test_a_multipart_body_without_a_boundary_is_400(owner_agent):
    response = Client().post(
        "/api/oauth/token", "grant_type=client_credentials", content_type="multipart/form-data"
    )
    _envelope(response, 400, "MALFORMED_REQUEST")


def test_a_blank_filter_is_refused_not_ignored(owner_api):
    body = _envelope(owner_api.get("/api/clocked-times?topic_id="), 400, "VALIDATION_ERROR")
    assert body["details"] == {"topic_id": ["This field may not be blank."]}


def test_webhook_inputs_refuse_unknown_fields_and_unknown_events(owner, org, httpserver):
    from tests.webhooks.conftest import hooks_client

    api = hooks_client(owner, "Owner's integration")
    url = httpserver.url_for("/hook")
    unknown = api.post("/api/webhooks", {"url": url, "events": ["user.joined"], "secret": "x"}, format="json")
    assert _envelope(unknown, 400)["details"] == {"secret": ["Unknown field."]}
    event = api.post("/api/webhooks", {"url": url, "events": ["user.joined", "user.exploded"]}, format="json")
    assert "events" in _envelope(event, 400)["details"]


def test_an_unsupported_method_is_405_even_with_a_used_idempotency_key(owner_api, topic):
    headers = {"HTTP_IDEMPOTENCY_KEY": "key-1"}
    body = {"topic": topic.id, "duration_minutes": 5}
    assert owner_api.post("/api/agent/time", body, format="json", **headers).status_code == 201
    response = owner_api.put("/api/agent/time", body, format="json", **headers)
    _envelope(response, 405)
