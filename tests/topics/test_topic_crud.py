"""Topics and categories CRUD (/api/topics, /api/categories): members read, owners and admins write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apps.clocked_times.models import ClockedTime
from apps.organizations.models import Membership
from apps.topics.models import Category, Topic
from tests.api.helpers import assert_documented
from tests.conftest import make_topic


def test_list_topics_includes_archived_ones(teammate_api, topic, org):
    retired = make_topic(org, "Retired", archived=True)
    response = teammate_api.get("/api/topics")
    assert response.status_code == 200
    topics = response.json()["topics"]
    assert [t["id"] for t in topics] == [topic.id, retired.id]
    assert topics[0] == {
        "id": topic.id,
        "name": "Project Alpha",
        "categoryId": topic.category_id,
        "category": "Client Work",
        "archived": False,
        "createdAt": topics[0]["createdAt"],
        "updatedAt": topics[0]["updatedAt"],
    }
    assert_documented(response)


def test_owner_creates_updates_and_deletes_a_topic(owner_api, topic):
    created = owner_api.post(
        "/api/v1/topics", {"name": " New  Topic ", "categoryId": topic.category_id}, format="json"
    )
    assert created.status_code == 201
    assert_documented(created)
    new_id = created.json()["id"]
    assert created.json()["name"] == "New Topic" and created.json()["archived"] is False

    got = owner_api.get(f"/api/topics/{new_id}")
    assert got.status_code == 200 and got.json()["name"] == "New Topic"
    assert_documented(got)

    updated = owner_api.patch(f"/api/topics/{new_id}", {"name": "Renamed", "archived": True}, format="json")
    assert updated.status_code == 200
    assert updated.json()["name"] == "Renamed" and updated.json()["archived"] is True
    assert_documented(updated)

    deleted = owner_api.delete(f"/api/topics/{new_id}")
    assert deleted.status_code == 204
    assert not Topic.objects.filter(pk=new_id).exists()


def test_admin_may_write_too(teammate, teammate_api, topic):
    Membership.objects.filter(user=teammate).update(role=Membership.Role.ADMIN)
    teammate.membership.refresh_from_db()
    response = teammate_api.post(
        "/api/topics", {"name": "By admin", "categoryId": topic.category_id}, format="json"
    )
    assert response.status_code == 201


def test_a_member_cannot_write(teammate_api, topic):
    for method, url, body in [
        ("post", "/api/topics", {"name": "X", "categoryId": topic.category_id}),
        ("patch", f"/api/topics/{topic.id}", {"name": "X"}),
        ("delete", f"/api/topics/{topic.id}", None),
        ("post", "/api/categories", {"name": "X"}),
        ("patch", f"/api/categories/{topic.category_id}", {"name": "X"}),
        ("delete", f"/api/categories/{topic.category_id}", None),
    ]:
        response = getattr(teammate_api, method)(url, body, format="json")
        assert response.status_code == 403, (method, url)
        assert response.json()["code"] == "NOT_ORG_ADMIN"
        assert_documented(response)
    topic.refresh_from_db()
    assert topic.name == "Project Alpha"


def test_topic_names_are_unique_ignoring_case(owner_api, topic, research):
    response = owner_api.post(
        "/api/topics", {"name": "project ALPHA", "categoryId": topic.category_id}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "TOPIC_NAME_TAKEN"
    assert_documented(response)
    rename = owner_api.patch(f"/api/topics/{research.id}", {"name": "PROJECT alpha"}, format="json")
    assert rename.status_code == 409
    research.refresh_from_db()
    assert research.name == "Research"


def test_topic_input_is_strict(owner_api, topic, outsider_topic):
    for body in (
        {"name": "", "categoryId": topic.category_id},
        {"name": "   ", "categoryId": topic.category_id},
        {"name": "X"},
        {"name": "X", "categoryId": topic.category_id, "archived": "yes"},
        {"name": "X", "categoryId": topic.category_id, "organization": "org-x"},
        {"name": "x" * 201, "categoryId": topic.category_id},
    ):
        assert owner_api.post("/api/topics", body, format="json").status_code == 400, body
    foreign_category = owner_api.post(
        "/api/topics", {"name": "X", "categoryId": outsider_topic.category_id}, format="json"
    )
    assert foreign_category.status_code == 404
    assert foreign_category.json()["code"] == "CATEGORY_NOT_FOUND"
    assert Topic.objects.count() == 2


def test_a_topic_with_entries_is_archived_not_deleted(owner_api, owner, topic):
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    ClockedTime.objects.create(
        organization=topic.organization,
        user=owner,
        topic=topic,
        start_time=start,
        end_time=start + timedelta(hours=1),
    )
    response = owner_api.delete(f"/api/topics/{topic.id}")
    assert response.status_code == 409
    assert response.json()["code"] == "TOPIC_IN_USE"
    assert Topic.objects.filter(pk=topic.id).exists()
    assert_documented(response)


def test_moving_a_topic_to_another_category(owner_api, topic, research):
    response = owner_api.patch(f"/api/topics/{topic.id}", {"categoryId": research.category_id}, format="json")
    assert response.status_code == 200
    assert response.json()["category"] == "Internal"


def test_category_crud(owner_api, topic):
    listed = owner_api.get("/api/categories")
    assert listed.status_code == 200
    assert [c["name"] for c in listed.json()["categories"]] == ["Client Work"]
    assert_documented(listed)

    created = owner_api.post("/api/categories", {"name": "Internal"}, format="json")
    assert created.status_code == 201
    assert_documented(created)
    cat_id = created.json()["id"]
    assert (
        owner_api.post("/api/categories", {"name": "INTERNAL"}, format="json").json()["code"]
        == "CATEGORY_NAME_TAKEN"
    )

    got = owner_api.get(f"/api/v1/categories/{cat_id}")
    assert got.status_code == 200 and got.json()["name"] == "Internal"
    assert_documented(got)
    renamed = owner_api.patch(f"/api/categories/{cat_id}", {"name": "Ops"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Ops"

    in_use = owner_api.delete(f"/api/categories/{topic.category_id}")
    assert in_use.status_code == 409 and in_use.json()["code"] == "CATEGORY_IN_USE"
    assert owner_api.delete(f"/api/categories/{cat_id}").status_code == 204
    assert not Category.objects.filter(pk=cat_id).exists()
