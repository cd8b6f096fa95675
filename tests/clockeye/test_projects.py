"""GET /api/projects: ClockEye's projects are the organization's topics."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api.helpers import assert_documented
from tests.conftest import make_topic


@pytest.mark.parametrize("credential", ["owner_api", "owner_key_api"])
def test_projects_are_the_organizations_topics(request, credential, org, topic, research, outsider_topic):
    archived = make_topic(org, "Old Project", "Client Work", archived=True)
    response = request.getfixturevalue(credential).get("/api/projects")
    assert response.status_code == 200
    assert_documented(response)
    projects = response.json()["projects"]
    assert [p["name"] for p in projects] == ["Old Project", "Project Alpha", "Research"]
    assert projects[1] == {
        "id": topic.id,
        "name": "Project Alpha",
        "category": "Client Work",
        "archived": False,
        "created_at": projects[1]["created_at"],
        "updated_at": projects[1]["updated_at"],
    }
    assert projects[0]["id"] == archived.id and projects[0]["archived"] is True
    assert projects[1]["created_at"].endswith("Z")


def test_another_organization_sees_only_its_own(outsider_api, topic, outsider_topic):
    response = outsider_api.get("/api/projects")
    assert [p["id"] for p in response.json()["projects"]] == [outsider_topic.id]


def test_without_credentials_it_is_401_in_the_envelope(db):
    response = APIClient().get("/api/projects")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "UNAUTHENTICATED"


def test_a_wrong_method_is_405_in_the_envelope(owner_key_api):
    response = owner_key_api.post("/api/projects", {"name": "New"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED"
