"""GET /api/agent/topics and GET /api/topics/for-agent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.clocked_times.models import ClockedTime
from tests.api.helpers import assert_documented
from tests.conftest import make_topic


def _log(user, topic, day: int) -> None:
    start = datetime(2026, 3, day, 9, 0, tzinfo=UTC)
    ClockedTime.objects.create(
        organization=topic.organization,
        user=user,
        topic=topic,
        start_time=start,
        end_time=start + timedelta(hours=1),
    )


def test_agent_topics_matches_the_spec(owner_api, topic, research, outsider_topic, org):
    make_topic(org, "Retired", archived=True)
    response = owner_api.get("/api/agent/topics")
    assert response.status_code == 200
    assert response.json() == {
        "topics": [
            {"id": topic.id, "name": "Project Alpha", "category": "Client Work"},
            {"id": research.id, "name": "Research", "category": "Internal"},
        ]
    }
    assert_documented(response)


@pytest.mark.parametrize("prefix", ["/api", "/api/v1"])
def test_for_agent_matches_the_spec(owner_api, owner, topic, org, prefix):
    sibling = make_topic(org, "Research", "Client Work")
    make_topic(org, "Retired", "Client Work", archived=True)
    _log(owner, topic, 1)
    response = owner_api.get(f"{prefix}/topics/for-agent")
    assert response.status_code == 200
    assert response.json() == {
        "categories": [
            {
                "id": topic.category_id,
                "name": "Client Work",
                "topics": [
                    {"id": topic.id, "name": "Project Alpha", "recentlyUsed": True},
                    {"id": sibling.id, "name": "Research", "recentlyUsed": False},
                ],
            }
        ],
        "recentTopicIds": [topic.id],
        "defaultTopicId": topic.id,
        "organizationGuidance": "Use Project Alpha for client deliverables.",
    }
    assert_documented(response)


def test_for_agent_recent_topics_are_the_owners_newest_first(
    owner_api, owner, teammate, topic, research, org
):
    third = make_topic(org, "Third")
    _log(owner, topic, 1)
    _log(owner, research, 3)
    _log(owner, topic, 2)
    _log(teammate, third, 5)
    body = owner_api.get("/api/topics/for-agent").json()
    assert body["recentTopicIds"] == [research.id, topic.id]
    assert body["defaultTopicId"] == research.id
    recently = {t["id"]: t["recentlyUsed"] for c in body["categories"] for t in c["topics"]}
    assert recently == {topic.id: True, research.id: True, third.id: False}


def test_for_agent_default_is_the_agents_own_default_topic_while_usable(
    owner_api, owner, owner_agent, topic, research
):
    _log(owner, topic, 1)
    owner_agent.agent.default_topic = research
    owner_agent.agent.save()
    assert owner_api.get("/api/topics/for-agent").json()["defaultTopicId"] == research.id
    research.archived = True
    research.save()
    assert owner_api.get("/api/topics/for-agent").json()["defaultTopicId"] == topic.id


def test_for_agent_with_nothing_yet(owner_api, owner):
    body = owner_api.get("/api/topics/for-agent").json()
    assert body["categories"] == [] and body["recentTopicIds"] == [] and body["defaultTopicId"] is None


def test_for_agent_never_shows_another_organization(outsider_api, outsider, outsider_topic, topic):
    body = outsider_api.get("/api/topics/for-agent").json()
    assert [t["id"] for c in body["categories"] for t in c["topics"]] == [outsider_topic.id]
    assert body["organizationGuidance"] == ""
