"""Every error on the agent API is the one envelope, with the status the spec lists."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.clocked_times.models import ClockedTime
from tests.api.helpers import assert_documented

# One call per endpoint (method, path); ids are filled in by the tests that need them.
ENDPOINTS = [
    ("get", "/api/agent/topics"),
    ("get", "/api/agent/timer"),
    ("patch", "/api/agent/timer"),
    ("post", "/api/agent/timer/start"),
    ("post", "/api/agent/timer/stop"),
    ("post", "/api/agent/time"),
    ("get", "/api/agent/tags"),
    ("post", "/api/agent/timer/tags"),
    ("get", "/api/topics/for-agent"),
    ("post", "/api/timer/start"),
    ("post", "/api/timer/stop"),
    ("get", "/api/timer/active"),
    ("get", "/api/clocked-times"),
    ("post", "/api/clocked-times"),
    ("get", "/api/v1/timer/active"),
    ("get", "/api/topics"),
    ("get", "/api/categories"),
    ("get", "/api/tags"),
]


def _is_envelope(body: dict, code: str) -> bool:
    return set(body) == {"error", "code", "details"} and body["code"] == code and body["error"]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_without_credentials_it_is_401_with_a_bearer_challenge(db, method, path):
    response = getattr(APIClient(), method)(path, {}, format="json")
    assert response.status_code == 401
    assert _is_envelope(response.json(), "UNAUTHENTICATED")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_documented(response)


def test_an_unknown_bearer_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer tat_not-a-real-token")
    response = client.get("/api/timer/active")
    assert response.status_code == 401
    assert response.json()["code"] in ("UNAUTHENTICATED", "INVALID_TOKEN")


def test_an_account_outside_any_organization_is_403(db):
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create_user("loner", password="pw-loner-123")
    client = APIClient()
    client.force_authenticate(user=loner)
    response = client.get("/api/agent/topics")
    assert response.status_code == 403
    assert _is_envelope(response.json(), "NO_ORGANIZATION")
    assert_documented(response)


def test_a_members_agent_may_not_manage_topics_403(teammate_api, topic):
    response = teammate_api.post("/api/topics", {"name": "X", "categoryId": topic.category_id}, format="json")
    assert response.status_code == 403
    assert _is_envelope(response.json(), "NOT_ORG_ADMIN")


def test_unknown_topic_404(owner_api, topic):
    response = owner_api.post("/api/timer/start", {"topicId": "top-nope"}, format="json")
    assert response.status_code == 404
    assert _is_envelope(response.json(), "TOPIC_NOT_FOUND")


def test_wrong_method_is_405_in_the_envelope(owner_api):
    response = owner_api.delete("/api/timer/start")
    assert response.status_code == 405
    assert _is_envelope(response.json(), "METHOD_NOT_ALLOWED")


def test_malformed_json_is_400_and_nothing_is_written(owner_api, topic):
    response = owner_api.generic("POST", "/api/timer/start", '{"topicId": ', content_type="application/json")
    assert response.status_code == 400
    assert _is_envelope(response.json(), "MALFORMED_REQUEST")
    assert not ClockedTime.objects.exists()
    assert_documented(response)


def test_a_json_array_instead_of_an_object_is_400(owner_api, topic):
    response = owner_api.post("/api/agent/timer/start", [topic.id], format="json")
    assert response.status_code == 400
    assert _is_envelope(response.json(), "VALIDATION_ERROR")


def test_a_form_body_is_415(owner_api, topic):
    response = owner_api.post("/api/agent/timer/start", {"topic": topic.id}, format="multipart")
    assert response.status_code == 415
    assert _is_envelope(response.json(), "UNSUPPORTED_MEDIA_TYPE")
    assert not ClockedTime.objects.exists()
    assert_documented(response)


def test_unknown_fields_are_named_in_details(owner_api, topic):
    response = owner_api.post("/api/timer/start", {"topicId": topic.id, "topic_id": topic.id}, format="json")
    assert response.status_code == 400
    assert response.json()["details"] == {"topic_id": ["Unknown field."]}
    assert not ClockedTime.objects.exists()


def test_notes_over_ten_thousand_characters_are_refused(owner_api, topic):
    response = owner_api.post("/api/timer/start", {"topicId": topic.id, "notes": "x" * 10_001}, format="json")
    assert response.status_code == 400
    assert "notes" in response.json()["details"]
    assert not ClockedTime.objects.exists()
    ok = owner_api.post("/api/timer/start", {"topicId": topic.id, "notes": "x" * 10_000}, format="json")
    assert ok.status_code == 201
