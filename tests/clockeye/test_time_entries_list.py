"""GET /api/time-entries: ClockEye's filters (user_id, project_id, start_date, end_date, page), honoured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from apps.clocked_times.models import ClockedTime
from apps.tags.models import Tag
from tests.api.helpers import assert_documented
from tests.conftest import make_entry

DAY = datetime(2026, 3, 30, 9, tzinfo=UTC)


@pytest.fixture
def entries(owner, teammate, outsider, topic, research, outsider_topic) -> dict[str, ClockedTime]:
    task = Tag.objects.create(organization=topic.organization, name="task:task_456")
    mine = make_entry(owner, topic, DAY, notes="Working on feature")
    mine.tags.set([task])
    return {
        "mine": mine,
        "mine_research": make_entry(owner, research, DAY + timedelta(days=1)),
        "teammates": make_entry(teammate, topic, DAY + timedelta(hours=2)),
        "outsiders": make_entry(outsider, outsider_topic, DAY),
    }


def _ids(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {entry["id"] for entry in response.json()["time_entries"]}


@pytest.mark.parametrize("credential", ["owner_api", "owner_key_api"])
def test_an_entry_has_clockeyes_snake_case_shape(request, credential, entries, owner, topic):
    response = request.getfixturevalue(credential).get(f"/api/time-entries?project_id={topic.id}")
    assert_documented(response)
    body = response.json()
    assert {k: body[k] for k in ("page", "per_page", "total", "total_pages")} == {
        "page": 1,
        "per_page": 50,
        "total": 2,
        "total_pages": 1,
    }
    mine = next(e for e in body["time_entries"] if e["id"] == entries["mine"].id)
    assert mine == {
        "id": entries["mine"].id,
        "user_id": str(owner.pk),
        "project_id": topic.id,
        "project_name": "Project Alpha",
        "task_id": "task_456",
        "description": "Working on feature",
        "start_time": "2026-03-30T09:00:00Z",
        "end_time": "2026-03-30T09:30:00Z",
        "duration": 1800,
        "running": False,
        "tags": ["task:task_456"],
        "created_at": mine["created_at"],
        "updated_at": mine["updated_at"],
    }


def test_an_admin_sees_the_organization_and_filters_by_user(owner_api, entries, teammate):
    assert _ids(owner_api.get("/api/time-entries")) == {
        entries["mine"].id,
        entries["mine_research"].id,
        entries["teammates"].id,
    }
    assert _ids(owner_api.get(f"/api/time-entries?user_id={teammate.pk}")) == {entries["teammates"].id}


def test_a_member_sees_only_their_own(teammate_api, teammate_key_api, entries, owner, teammate):
    for client in (teammate_api, teammate_key_api):
        assert _ids(client.get("/api/time-entries")) == {entries["teammates"].id}
        assert _ids(client.get(f"/api/time-entries?user_id={teammate.pk}")) == {entries["teammates"].id}
        response = client.get(f"/api/time-entries?user_id={owner.pk}")
        assert response.status_code == 404 and response.json()["code"] == "USER_NOT_FOUND"


@pytest.mark.parametrize("user_id", ["outsider", "999999", "not-a-number"])
def test_another_organizations_user_is_404(owner_api, entries, outsider, user_id):
    wanted = str(outsider.pk) if user_id == "outsider" else user_id
    response = owner_api.get(f"/api/time-entries?user_id={wanted}")
    assert response.status_code == 404
    body = response.json()
    assert body == {"error": "User not found.", "code": "USER_NOT_FOUND", "details": {"user_id": wanted}}


def test_another_organizations_project_is_404(owner_api, outsider_api, entries, outsider_topic, topic):
    response = owner_api.get(f"/api/time-entries?project_id={outsider_topic.id}")
    assert response.status_code == 404 and response.json()["code"] == "TOPIC_NOT_FOUND"
    assert _ids(outsider_api.get("/api/time-entries")) == {entries["outsiders"].id}
    assert outsider_api.get(f"/api/time-entries?project_id={topic.id}").status_code == 404


def test_dates_are_inclusive_utc_days(owner_api, entries):
    one_day = owner_api.get("/api/time-entries?start_date=2026-03-30&end_date=2026-03-30")
    assert _ids(one_day) == {entries["mine"].id, entries["teammates"].id}
    assert _ids(owner_api.get("/api/time-entries?start_date=2026-03-31")) == {entries["mine_research"].id}


def test_pages(owner_api, owner, topic):
    for i in range(5):
        make_entry(owner, topic, DAY + timedelta(hours=i))
    first = owner_api.get("/api/time-entries?per_page=2").json()
    assert (first["total"], first["total_pages"], len(first["time_entries"])) == (5, 3, 2)
    last = owner_api.get("/api/time-entries?per_page=2&page=3").json()
    assert len(last["time_entries"]) == 1 and last["page"] == 3
    assert owner_api.get("/api/time-entries?per_page=2&page=4").json()["time_entries"] == []
    newest_first = [e["start_time"] for e in first["time_entries"]]
    assert newest_first == ["2026-03-30T13:00:00Z", "2026-03-30T12:00:00Z"]


@pytest.mark.parametrize(
    "query,field",
    [
        ("topic_id=top-x", "topic_id"),
        ("limit=10", "limit"),
        ("start_date=30/03/2026", "start_date"),
        ("start_date=2026-03-31&end_date=2026-03-30", "end_date"),
        ("page=0", "page"),
    ],
)
def test_bad_or_unknown_parameters_are_400_naming_them(owner_key_api, entries, query, field):
    response = owner_key_api.get(f"/api/time-entries?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR" and field in body["details"]
    assert_documented(response)
