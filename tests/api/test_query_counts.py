"""Each agent endpoint runs in a fixed number of queries, whatever the amount of data.

Every case runs twice, against a small and a large organization (many topics, categories, tags and
entries); both must stay under the same ceiling: the endpoint's own queries (listed per case) plus
AUTH_QUERIES for authentication (see tests/api/helpers.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.tags.models import Tag
from apps.topics.models import Category, Topic
from tests.api.helpers import AUTH_QUERIES


def _grow(org, owner, topic, size: int) -> None:
    categories = Category.objects.bulk_create(
        Category(organization=org, name=f"Category {i}") for i in range(size)
    )
    topics = Topic.objects.bulk_create(
        Topic(organization=org, category=categories[i % len(categories)], name=f"Topic {i}")
        for i in range(size * 5)
    )
    tags = Tag.objects.bulk_create(Tag(organization=org, name=f"tag-{i}") for i in range(size))
    start = datetime(2026, 1, 1, tzinfo=UTC)
    entries = ClockedTime.objects.bulk_create(
        ClockedTime(
            organization=org,
            user=owner,
            topic=topics[i % len(topics)],
            start_time=start + timedelta(hours=i),
            end_time=start + timedelta(hours=i, minutes=30),
            type="manual",
        )
        for i in range(size * 5)
    )
    through = ClockedTime.tags.through
    through.objects.bulk_create(
        through(clockedtime_id=e.id, tag_id=tags[i % len(tags)].id) for i, e in enumerate(entries)
    )


def _running(owner, topic) -> ClockedTime:
    return ClockedTime.objects.create(
        organization=topic.organization,
        user=owner,
        topic=topic,
        start_time=timezone.now() - timedelta(minutes=5),
    )


# (name, own queries, needs a running timer, call). Own queries are what the endpoint needs once
# authenticated, BEGIN and COMMIT included; writes count their row lock. Creating tags costs a few queries
# per NEW name in the request (bounded by the request's 50-name limit), never per row already stored.
# Naming a topic (by id or name) in the simple endpoints costs, right after a catalog write as here (the
# test just bulk-created topics), the two queries that rebuild the matching's choices; a warm lookup costs
# nothing, as the credential lookup also reads the catalog version the cached choices are checked against.
# Webhook subscriptions cost nothing here: none subscribe, which the credential lookup already tells
# (an organization with endpoints adds one read per request, however many events; see
# tests/webhooks/test_subscriptions_per_request.py). Before issue 17 the timer writes also paid two
# subscription reads and a savepoint.
CASES = [
    ("agent topics", 1, False, lambda api, ctx: api.get("/api/agent/topics")),
    ("agent timer", 1, True, lambda api, ctx: api.get("/api/agent/timer")),
    ("agent tags", 1, False, lambda api, ctx: api.get("/api/agent/tags")),
    ("topics for agent", 2, False, lambda api, ctx: api.get("/api/topics/for-agent")),
    ("timer active", 1, True, lambda api, ctx: api.get("/api/timer/active")),
    ("clocked times list", 3, False, lambda api, ctx: api.get("/api/clocked-times", {"page_size": 50})),
    (
        "clocked times filtered",
        3,
        False,
        lambda api, ctx: api.get("/api/clocked-times", {"tag": "tag-1", "start_date": "2026-01-01"}),
    ),
    ("clocked time detail", 2, False, lambda api, ctx: api.get(f"/api/clocked-times/{ctx['entry']}")),
    (
        "agent start",
        6,
        False,
        lambda api, ctx: api.post("/api/agent/timer/start", {"topic": ctx["topic"]}, format="json"),
    ),
    (
        "agent start by name",
        6,
        False,
        lambda api, ctx: api.post("/api/agent/timer/start", {"topic": "project alpha"}, format="json"),
    ),
    (
        "agent start while running",
        7,
        True,
        lambda api, ctx: api.post("/api/agent/timer/start", {"topic": ctx["topic"]}, format="json"),
    ),
    (
        "full start",
        6,
        True,
        lambda api, ctx: api.post("/api/timer/start", {"topicId": ctx["topic"]}, format="json"),
    ),
    ("agent stop", 4, True, lambda api, ctx: api.post("/api/agent/timer/stop")),
    ("full stop", 4, True, lambda api, ctx: api.post("/api/timer/stop")),
    ("agent notes", 4, True, lambda api, ctx: api.patch("/api/agent/timer", {"notes": "n"}, format="json")),
    (
        "agent tags add",
        15,
        True,
        lambda api, ctx: api.post("/api/agent/timer/tags", {"tags": ["tag-1", "brand-new"]}, format="json"),
    ),
    (
        "agent time",
        6,
        False,
        lambda api, ctx: api.post(
            "/api/agent/time", {"topic": ctx["topic"], "duration_minutes": 5}, format="json"
        ),
    ),
    (
        "agent time by name",
        6,
        False,
        lambda api, ctx: api.post(
            "/api/agent/time", {"topic": "Project Alpha", "duration_minutes": 5}, format="json"
        ),
    ),
    (
        "clocked time create",
        18,
        False,
        lambda api, ctx: api.post(
            "/api/clocked-times",
            {
                "topicId": ctx["topic"],
                "startTime": "2025-06-01T09:00:00Z",
                "endTime": "2025-06-01T10:00:00Z",
                "tags": ["tag-1"],
            },
            format="json",
        ),
    ),
    (
        "clocked time update",
        19,
        False,
        lambda api, ctx: api.patch(
            f"/api/clocked-times/{ctx['entry']}", {"notes": "x", "tags": ["tag-2"]}, format="json"
        ),
    ),
    # ClockEye's paths (apps/clockeye): the same services, read back in ClockEye's shape.
    ("clockeye projects", 1, False, lambda api, ctx: api.get("/api/projects")),
    ("clockeye time entries", 3, False, lambda api, ctx: api.get("/api/time-entries", {"per_page": 50})),
    (
        "clockeye time entries of a member",
        4,
        False,
        lambda api, ctx: api.get("/api/time-entries", {"user_id": ctx["user"], "project_id": ctx["topic"]}),
    ),
    # A start with a new task tag: the tag's lookup and insert (with SAVEPOINTs), the start over a running
    # timer, setting the tag, reading the entry back with its tags.
    (
        "clockeye start with a task",
        22,
        True,
        lambda api, ctx: api.post(
            "/api/time-entries/start", {"project_id": ctx["topic"], "task_id": "T-1"}, format="json"
        ),
    ),
    ("clockeye stop", 6, True, lambda api, ctx: api.post("/api/time-entries/stop")),
]


# On PostgreSQL a stop reads the running timer and ends it in one statement (UPDATE ... RETURNING joined
# back to its topic); other databases read it first. These cases stop one.
STOP_IN_ONE_STATEMENT = {
    "agent start while running",
    "full start",
    "agent stop",
    "full stop",
    "clockeye stop",
}


@pytest.mark.parametrize("size", [1, 60], ids=["small", "large"])
@pytest.mark.parametrize(("name", "own", "running", "call"), CASES, ids=[c[0] for c in CASES])
def test_fixed_query_count(
    owner_api, owner, org, topic, django_assert_max_num_queries, size, name, own, running, call
):
    _grow(org, owner, topic, size)
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    entry = ClockedTime.objects.create(
        organization=org, user=owner, topic=topic, start_time=start, end_time=start + timedelta(hours=1)
    )
    if running:
        _running(owner, topic)
    ctx = {"topic": topic.id, "entry": entry.id, "user": str(owner.pk)}
    if connection.vendor == "postgresql" and name in STOP_IN_ONE_STATEMENT:
        own -= 1
    with django_assert_max_num_queries(own + AUTH_QUERIES):
        response = call(owner_api, ctx)
    assert response.status_code < 300, response.json()
