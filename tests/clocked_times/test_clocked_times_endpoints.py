"""/api/clocked-times: manual entries (spec), the list with filters, and GET/PATCH/DELETE of one entry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from apps.clocked_times.models import ClockedTime
from apps.core.api.pagination import PAGE_SIZE_MAX
from apps.tags.models import Tag
from tests.api.helpers import assert_documented

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)


def _entry(user, topic, start: datetime, minutes: int = 30, **kwargs) -> ClockedTime:
    return ClockedTime.objects.create(
        organization=topic.organization,
        user=user,
        topic=topic,
        start_time=start,
        end_time=start + timedelta(minutes=minutes),
        type="manual",
        **kwargs,
    )


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("prefix", ["/api", "/api/v1"])
def test_create_matches_the_spec(owner_api, owner, owner_agent, topic, prefix):
    response = owner_api.post(
        f"{prefix}/clocked-times",
        {
            "topicId": topic.id,
            "startTime": "2026-03-30T09:00:00Z",
            "endTime": "2026-03-30T10:30:00Z",
            "type": "manual",
            "notes": "Drafted quarterly report",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    entry = ClockedTime.objects.get()
    # The spec's fields, exactly as shown...
    assert {k: body[k] for k in ("id", "topicId", "startTime", "endTime")} == {
        "id": entry.id,
        "topicId": topic.id,
        "startTime": "2026-03-30T09:00:00Z",
        "endTime": "2026-03-30T10:30:00Z",
    }
    # ...plus the rest of the entry, as GET returns it.
    assert body["duration"] == 90 and body["type"] == "manual" and body["running"] is False
    assert body["notes"] == "Drafted quarterly report" and body["agentId"] == owner_agent.client_id
    assert entry.user == owner and entry.agent_id == owner_agent.agent.pk
    assert_documented(response)


@time_machine.travel(NOW, tick=False)
def test_create_with_tag_names_creates_missing_tags(owner_api, topic, tags):
    response = owner_api.post(
        "/api/clocked-times",
        {
            "topicId": topic.id,
            "startTime": "2026-03-30T09:00:00Z",
            "endTime": "2026-03-30T09:30:00Z",
            "tags": ["FEATURE", "docs"],
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["tags"] == ["docs", "feature"]
    assert Tag.objects.count() == 3


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "change",
    [
        {"endTime": "2026-03-30T08:00:00Z"},  # before the start
        {"endTime": "2026-03-30T09:00:00Z"},  # zero length
        {"endTime": "2026-03-31T10:00:00Z"},  # in the future
        {"startTime": "2026-03-28T09:00:00Z"},  # over 24 hours
        {"startTime": "2026-02-30T09:00:00Z"},  # impossible date
        {"startTime": "yesterday"},
        {"type": "timer"},
        {"notes": "x" * 10_001},
        {"topicId": 7},
        {"tags": "docs"},
        {"user": 1},
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(owner_api, topic, change):
    body = {
        "topicId": topic.id,
        "startTime": "2026-03-30T09:00:00Z",
        "endTime": "2026-03-30T10:00:00Z",
        "tags": ["new-tag"],
        **change,
    }
    response = owner_api.post("/api/clocked-times", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["code"] in ("VALIDATION_ERROR", "INVALID_TIME_RANGE")
    assert not ClockedTime.objects.exists()
    assert not Tag.objects.exists()
    assert_documented(response)


def test_create_with_another_organizations_topic_is_404(outsider_api, topic):
    response = outsider_api.post(
        "/api/clocked-times",
        {"topicId": topic.id, "startTime": "2026-03-30T09:00:00Z", "endTime": "2026-03-30T10:00:00Z"},
        format="json",
    )
    assert response.status_code == 404
    assert not ClockedTime.objects.exists()


def test_list_is_newest_first_with_count_and_only_the_owners_entries(owner_api, owner, teammate, topic):
    base = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    mine = [_entry(owner, topic, base + timedelta(days=i)) for i in range(5)]
    _entry(teammate, topic, base)
    response = owner_api.get("/api/clocked-times", {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5 and body["page"] == 1 and body["pageSize"] == 2
    assert [e["id"] for e in body["results"]] == [mine[4].id, mine[3].id]
    assert_documented(response)
    last = owner_api.get("/api/v1/clocked-times", {"page_size": 2, "page": 3}).json()
    assert [e["id"] for e in last["results"]] == [mine[0].id]
    beyond = owner_api.get("/api/clocked-times", {"page": 9}).json()
    assert beyond["results"] == [] and beyond["count"] == 5


def test_list_page_size_is_capped(owner_api, owner):
    response = owner_api.get("/api/clocked-times", {"page_size": 100_000})
    assert response.status_code == 200
    assert response.json()["pageSize"] == PAGE_SIZE_MAX


def test_list_filters(owner_api, owner, topic, research, tags):
    a = _entry(owner, topic, datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    b = _entry(owner, research, datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    c = _entry(owner, topic, datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    b.tags.add(tags[0])

    def ids(**params):
        response = owner_api.get("/api/clocked-times", params)
        assert response.status_code == 200, response.json()
        return [e["id"] for e in response.json()["results"]]

    assert ids(topic_id=topic.id) == [c.id, a.id]
    assert ids(tag="BUG-FIX") == [b.id]
    assert ids(start_date="2026-03-02") == [c.id, b.id]
    assert ids(end_date="2026-03-02") == [b.id, a.id]
    assert ids(start_date="2026-03-02", end_date="2026-03-02") == [b.id]
    assert ids(topic_id="top-elsewhere000000") == []


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-02-30"},
        {"end_date": "30/03/2026"},
        {"start_date": "2026-03-05", "end_date": "2026-03-01"},
        {"page": 0},
        {"page": "two"},
        {"page_size": 0},
    ],
)
def test_list_refuses_bad_filters(owner_api, owner, params):
    response = owner_api.get("/api/clocked-times", params)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    assert_documented(response)


def test_get_one(owner_api, owner, topic):
    entry = _entry(owner, topic, datetime(2026, 3, 1, 9, 0, tzinfo=UTC), notes="n")
    response = owner_api.get(f"/api/clocked-times/{entry.id}")
    assert response.status_code == 200
    assert response.json()["id"] == entry.id and response.json()["notes"] == "n"
    assert_documented(response)


def test_a_teammates_entry_is_not_found(owner_api, teammate, topic):
    entry = _entry(teammate, topic, datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    assert owner_api.get(f"/api/clocked-times/{entry.id}").status_code == 404
    assert owner_api.patch(f"/api/clocked-times/{entry.id}", {"notes": "x"}, format="json").status_code == 404
    assert owner_api.delete(f"/api/clocked-times/{entry.id}").status_code == 404
    assert ClockedTime.objects.filter(pk=entry.id, notes="").exists()


@time_machine.travel(NOW, tick=False)
def test_patch_changes_only_what_is_given(owner_api, owner, topic, research, tags):
    entry = _entry(owner, topic, datetime(2026, 3, 30, 9, 0, tzinfo=UTC), notes="old")
    entry.tags.add(tags[0])
    response = owner_api.patch(
        f"/api/v1/clocked-times/{entry.id}",
        {"topicId": research.id, "endTime": "2026-03-30T10:00:00Z", "tags": ["feature", "new"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["topicId"] == research.id and body["duration"] == 60 and body["notes"] == "old"
    assert body["tags"] == ["feature", "new"]
    assert_documented(response)


@time_machine.travel(NOW, tick=False)
def test_patch_stops_a_running_entry_but_never_reopens_a_finished_one(owner_api, owner, topic):
    running = ClockedTime.objects.create(
        organization=topic.organization, user=owner, topic=topic, start_time=NOW - timedelta(hours=1)
    )
    response = owner_api.patch(
        f"/api/clocked-times/{running.id}", {"endTime": "2026-03-30T11:30:00Z"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["running"] is False and response.json()["duration"] == 30
    reopen = owner_api.patch(f"/api/clocked-times/{running.id}", {"endTime": None}, format="json")
    assert reopen.status_code == 400


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "change",
    [
        {"endTime": "2026-03-30T08:00:00Z"},
        {"startTime": "2026-03-32T08:00:00Z"},
        {"notes": "x" * 10_001},
        {"notes": None},
        {"running": True},
        {"tags": ["ok", ""]},
    ],
)
def test_patch_refuses_bad_input_and_changes_nothing(owner_api, owner, topic, change):
    entry = _entry(owner, topic, datetime(2026, 3, 30, 9, 0, tzinfo=UTC), notes="old")
    response = owner_api.patch(
        f"/api/clocked-times/{entry.id}", {**change, "tags": change.get("tags", ["t"])}, format="json"
    )
    assert response.status_code == 400, response.json()
    entry.refresh_from_db()
    assert entry.notes == "old" and entry.end_time == datetime(2026, 3, 30, 9, 30, tzinfo=UTC)
    assert not Tag.objects.exists()


def test_patch_to_another_organizations_topic_is_404(owner_api, owner, topic, outsider_topic):
    entry = _entry(owner, topic, datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    response = owner_api.patch(
        f"/api/clocked-times/{entry.id}", {"topicId": outsider_topic.id}, format="json"
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.topic == topic


def test_delete(owner_api, owner, topic):
    entry = _entry(owner, topic, datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    response = owner_api.delete(f"/api/clocked-times/{entry.id}")
    assert response.status_code == 204
    assert not ClockedTime.objects.exists()
    assert_documented(response)
    assert owner_api.delete(f"/api/clocked-times/{entry.id}").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_patch_into_an_overlap_is_409_when_the_organization_forbids_overlaps(
    owner_api, owner, topic, no_overlaps
):
    first = _entry(owner, topic, datetime(2026, 3, 30, 9, 0, tzinfo=UTC))
    second = _entry(owner, topic, datetime(2026, 3, 30, 10, 0, tzinfo=UTC))
    response = owner_api.patch(
        f"/api/clocked-times/{second.id}", {"startTime": "2026-03-30T09:15:00Z"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "OVERLAPPING_ENTRY"
    assert response.json()["details"]["overlaps"][0]["id"] == first.id
    second.refresh_from_db()
    assert second.start_time == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)
    assert_documented(response)
