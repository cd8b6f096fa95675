"""An agent of another organization gets 404 for every endpoint that takes an id, and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.clocked_times.models import ClockedTime
from apps.tags.models import Tag
from apps.topics.models import Category, Topic
from tests.api.helpers import assert_documented


@pytest.fixture
def acme(owner, topic, tags):
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    entry = ClockedTime.objects.create(
        organization=topic.organization,
        user=owner,
        topic=topic,
        start_time=start,
        end_time=start + timedelta(hours=1),
    )
    return {"entry": entry.id, "topic": topic.id, "category": topic.category_id, "tag": tags[0].id}


CASES = [
    ("get", "/api/clocked-times/{entry}", None),
    ("patch", "/api/clocked-times/{entry}", {"notes": "mine now"}),
    ("delete", "/api/clocked-times/{entry}", None),
    ("get", "/api/v1/clocked-times/{entry}", None),
    ("get", "/api/topics/{topic}", None),
    ("patch", "/api/topics/{topic}", {"name": "Stolen"}),
    ("delete", "/api/topics/{topic}", None),
    ("get", "/api/categories/{category}", None),
    ("patch", "/api/categories/{category}", {"name": "Stolen"}),
    ("delete", "/api/categories/{category}", None),
    ("get", "/api/tags/{tag}", None),
    ("patch", "/api/tags/{tag}", {"name": "Stolen"}),
    ("delete", "/api/tags/{tag}", None),
    ("post", "/api/timer/start", {"topicId": "{topic}"}),
    ("post", "/api/v1/timer/start", {"topicId": "{topic}"}),
    ("post", "/api/agent/timer/start", {"topic": "{topic}"}),
    ("post", "/api/agent/time", {"topic": "{topic}", "duration_minutes": 5}),
    (
        "post",
        "/api/clocked-times",
        {"topicId": "{topic}", "startTime": "2026-03-01T12:00:00Z", "endTime": "2026-03-01T13:00:00Z"},
    ),
    ("post", "/api/topics", {"name": "Smuggled", "categoryId": "{category}"}),
]


def _fill(value, ids):
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _snapshot():
    return (
        list(ClockedTime.objects.values_list("id", "notes", "topic_id", "end_time").order_by("id")),
        list(Topic.objects.values_list("id", "name").order_by("id")),
        list(Category.objects.values_list("id", "name").order_by("id")),
        list(Tag.objects.values_list("id", "name").order_by("id")),
    )


@pytest.mark.parametrize(("method", "path", "body"), CASES)
def test_another_organizations_ids_are_not_found(outsider_api, acme, method, path, body):
    before = _snapshot()
    response = getattr(outsider_api, method)(_fill(path, acme), _fill(body, acme), format="json")
    assert response.status_code == 404, response.json()
    assert response.json()["code"].endswith("NOT_FOUND")
    assert _snapshot() == before
    assert_documented(response)


def test_the_outsiders_lists_show_nothing_of_acme(outsider_api, acme):
    assert outsider_api.get("/api/clocked-times").json()["count"] == 0
    assert outsider_api.get("/api/clocked-times", {"topic_id": acme["topic"]}).json()["count"] == 0
    assert outsider_api.get("/api/agent/topics").json()["topics"] == []
    assert outsider_api.get("/api/agent/tags").json()["tags"] == []
    assert outsider_api.get("/api/topics").json()["topics"] == []
    assert outsider_api.get("/api/categories").json()["categories"] == []
    assert outsider_api.get("/api/tags").json()["tags"] == []
