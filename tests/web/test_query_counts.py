"""Every page runs a fixed, small number of queries, whatever the amount of data behind it.

Each page is measured with a little data and again after adding much more (entries, topics, tags, agents,
secrets, members, deliveries): the counts must be equal, and under the page's ceiling.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.agents.services import agent_create, agent_secret_rotate, api_key_create
from apps.clocked_times.models import ClockedTime
from apps.organizations.models import Membership
from apps.tags.models import Tag
from apps.topics.models import Category, Topic
from apps.topics.services import topic_alias_create, topic_repository_add
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.conftest import make_user

# Session, user and membership are 3 of each page's queries.
CEILINGS = {
    "/": 12,
    "/timesheet/": 12,
    "/timesheet/?view=week": 13,
    "/reports/": 9,
    "/reports/?group_by=tag": 9,
    "/reports/?group_by=day": 9,
    "/settings/agents/": 6,
    "/settings/agents/{agent}/secrets/": 7,
    "/settings/agents/{agent}/": 6,
    "/settings/api-keys/": 5,
    "/settings/topics/": 8,
    "/settings/organization/": 7,
}


def _grow(org, owner, n: int, serial: int) -> str:
    category = Category.objects.create(organization=org, name=f"Category {serial}")
    topics = Topic.objects.bulk_create(
        Topic(organization=org, category=category, name=f"Topic {serial}-{i}") for i in range(n)
    )
    tags = Tag.objects.bulk_create(Tag(organization=org, name=f"tag-{serial}-{i}") for i in range(n))
    for i, topic in enumerate(topics[:5]):
        topic_alias_create(topic=topic, name=f"alias {serial}-{i}")
        topic_repository_add(topic=topic, pattern=f"acme/repo-{serial}-{i}")
    agent = None
    for i in range(max(1, n // 5)):
        agent, _ = agent_create(user=owner, name=f"Agent {serial}-{i}")
        agent_secret_rotate(agent=agent)
        api_key_create(user=owner, name=f"key {serial}-{i}")
        make_user(f"member-{serial}-{i}", org, Membership.Role.MEMBER)
    now = timezone.now()
    entries = ClockedTime.objects.bulk_create(
        ClockedTime(
            organization=org,
            user=owner,
            topic=topics[i % n],
            agent=agent,
            start_time=now - timedelta(hours=2 * i + 2),
            end_time=now - timedelta(hours=2 * i + 1),
            type="manual",
            notes=f"entry {i}",
        )
        for i in range(n * 3)
    )
    for i, entry in enumerate(entries):
        entry.tags.set(tags[i % n : i % n + 2])
    endpoint = WebhookEndpoint.objects.create(
        organization=org,
        url=f"https://example.com/{serial}",
        events=["time_entry.created"],
        secret_encrypted="x",
    )
    for i in range(n):
        event = WebhookEvent.objects.create(
            organization=org, name="time_entry.created", body="{}", created_at=now
        )
        WebhookDelivery.objects.create(event=event, endpoint=endpoint, retry_until=now, attempt_count=i)
    return agent.client_id


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("url", list(CEILINGS))
def test_the_same_queries_at_two_sizes(owner_web, org, owner, url):
    agent = _grow(org, owner, 3, 1)
    address = url.format(agent=agent)
    owner_web.get("/")  # the session's first page caches the timezone; not what is measured
    small = _count(owner_web, address)
    _grow(org, owner, 40, 2)
    large = _count(owner_web, address)
    assert small == large, f"{url}: {small} queries with little data, {large} with more"
    assert large <= CEILINGS[url], f"{url}: {large} queries"


def test_csv_export_streams_in_fixed_chunks(owner_web, org, owner):
    _grow(org, owner, 5, 1)
    owner_web.get("/")
    small = _count(owner_web, "/reports/export.csv?rows=entry&start=2000-01-01")
    _grow(org, owner, 40, 2)
    large = _count(owner_web, "/reports/export.csv?rows=entry&start=2000-01-01")
    # Every chunk of 2000 entries costs two queries (entries, their tags): both sizes fit one chunk.
    assert small == large <= 8
