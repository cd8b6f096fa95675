"""GET /api/agent/tags and tags CRUD (/api/tags)."""

from __future__ import annotations

from apps.tags.models import Tag
from tests.api.helpers import assert_documented


def test_agent_tags_matches_the_spec(owner_api, org, other_org):
    for name in ("refactoring", "bug-fix", "feature"):
        Tag.objects.create(organization=org, name=name)
    Tag.objects.create(organization=other_org, name="globex-only")
    response = owner_api.get("/api/agent/tags")
    assert response.status_code == 200
    body = response.json()
    assert [t["name"] for t in body["tags"]] == ["bug-fix", "feature", "refactoring"]
    assert set(body["tags"][0]) == {"id", "name"}
    assert body["tags"][0]["id"].startswith("tag-")
    assert_documented(response)


def test_tag_crud_by_the_owner(owner_api, tags):
    listed = owner_api.get("/api/tags")
    assert [t["name"] for t in listed.json()["tags"]] == ["bug-fix", "feature"]
    assert_documented(listed)
    created = owner_api.post("/api/v1/tags", {"name": "docs"}, format="json")
    assert created.status_code == 201
    assert_documented(created)
    tag_id = created.json()["id"]
    taken = owner_api.post("/api/tags", {"name": "DOCS"}, format="json")
    assert taken.status_code == 409 and taken.json()["code"] == "TAG_NAME_TAKEN"
    got = owner_api.get(f"/api/tags/{tag_id}")
    assert got.status_code == 200
    assert_documented(got)
    renamed = owner_api.patch(f"/api/tags/{tag_id}", {"name": "documentation"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "documentation"
    assert owner_api.patch(f"/api/tags/{tag_id}", {"name": "Feature"}, format="json").status_code == 409
    assert owner_api.delete(f"/api/tags/{tag_id}").status_code == 204
    assert not Tag.objects.filter(pk=tag_id).exists()


def test_a_member_reads_but_cannot_write_tags(teammate_api, tags):
    assert teammate_api.get("/api/tags").status_code == 200
    assert teammate_api.post("/api/tags", {"name": "x"}, format="json").status_code == 403
    assert teammate_api.delete(f"/api/tags/{tags[0].id}").status_code == 403
    assert Tag.objects.count() == 2
