"""GET /api/v1/reports/summary: the reports page's figures as JSON, through a real agent token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.organizations.models import Membership
from tests.api.helpers import AUTH_QUERIES, assert_documented
from tests.conftest import make_entry
from tests.fixtures.auth import api_client_for, make_agent

URL = "/api/v1/reports/summary"
DAY = datetime(2026, 3, 2, tzinfo=UTC)


@pytest.fixture
def logged(owner, teammate, topic, research, tags, owner_agent):
    make_entry(owner, topic, start=DAY + timedelta(hours=9), minutes=60, agent=owner_agent.agent).tags.set(
        [tags[0]]
    )
    make_entry(owner, research, start=DAY + timedelta(hours=11), minutes=30).tags.set(tags)
    make_entry(
        owner, topic, start=DAY + timedelta(days=1, hours=23, minutes=30), minutes=45
    )  # 00:30 on the 4th in Berlin
    make_entry(teammate, topic, start=DAY + timedelta(hours=10), minutes=120)
    make_entry(owner, topic, start=DAY - timedelta(days=10), minutes=600)  # outside the range


def _get(client, **params):
    return client.get(URL, {"start_date": "2026-03-02", "end_date": "2026-03-03", **params})


def test_it_groups_the_owners_organization_by_topic(owner_api, logged):
    response = _get(owner_api)
    assert response.status_code == 200, response.content
    assert_documented(response)
    body = response.json()
    groups = {group["label"]: (group["seconds"], group["entries"]) for group in body["groups"]}
    # An owner sees the organization: the teammate's two hours too.
    assert groups == {"Project Alpha": (225 * 60, 3), "Research": (30 * 60, 1)}
    assert body["totalSeconds"] == 255 * 60
    assert body["groupBy"] == "topic" and body["timezone"] == "UTC"


def test_a_member_sees_only_their_own_time(teammate_api, logged):
    body = _get(teammate_api, group_by="member").json()
    assert [(g["label"], g["seconds"]) for g in body["groups"]] == [("tom", 7200)]


def test_a_member_may_not_ask_for_another_member(teammate_api, logged):
    response = _get(teammate_api, member="olivia")
    assert response.status_code == 403
    assert_documented(response)


@pytest.mark.parametrize(
    ("group_by", "expected"),
    [
        ("agent", {"Owner's Claude Code": 3600, "No agent (by hand)": (30 + 45 + 120) * 60}),
        ("tag", {"bug-fix": 90 * 60, "feature": 30 * 60, "No tag": (45 + 120) * 60}),
        ("category", {"Client Work": 225 * 60, "Internal": 30 * 60}),
        ("member", {"olivia": 135 * 60, "tom": 120 * 60}),
        ("day", {"2026-03-02": 210 * 60, "2026-03-03": 45 * 60}),
    ],
)
def test_each_grouping(owner_api, logged, group_by, expected):
    body = _get(owner_api, group_by=group_by).json()
    assert {g["label"]: g["seconds"] for g in body["groups"]} == expected


def test_days_are_the_asked_timezones(owner_api, logged):
    body = _get(owner_api, group_by="day", timezone="Europe/Berlin", end_date="2026-03-04").json()
    # 23:30 UTC on the 3rd is 00:30 on the 4th in Berlin.
    assert {g["label"]: g["seconds"] for g in body["groups"]} == {
        "2026-03-02": 210 * 60,
        "2026-03-04": 45 * 60,
    }


def test_filters_narrow_the_report(owner_api, logged, owner_agent, research):
    by_agent = _get(owner_api, agent_id=owner_agent.client_id).json()
    assert by_agent["totalSeconds"] == 3600
    by_topic = _get(owner_api, topic_id=research.id).json()
    assert by_topic["totalSeconds"] == 1800
    by_tag = _get(owner_api, tag="FEATURE").json()
    assert by_tag["totalSeconds"] == 1800
    without_agent = _get(owner_api, agent_id="none", member="olivia").json()
    assert without_agent["totalSeconds"] == 75 * 60


@pytest.mark.parametrize(
    "params",
    [
        {"colour": "blue"},
        {"group_by": "project"},
        {"timezone": "Mars/Olympus"},
        {"start_date": "2026-03-05"},
        {"start_date": "yesterday"},
        {"end_date": "2046-03-05"},
    ],
)
def test_bad_parameters_are_refused_with_the_envelope(owner_api, logged, params):
    response = _get(owner_api, **params)
    assert response.status_code == 400
    assert_documented(response)
    body = response.json()
    assert body["code"] == "VALIDATION_ERROR"
    assert set(body["details"]) & ({*params} | {"end_date"})


def test_dates_are_required(owner_api):
    response = owner_api.get(URL)
    assert response.status_code == 400
    assert set(response.json()["details"]) == {"start_date", "end_date"}


def test_another_organizations_time_never_shows(outsider_api, logged, topic):
    body = _get(outsider_api, topic_id=topic.id).json()
    assert body["groups"] == [] and body["totalSeconds"] == 0


def test_it_needs_credentials(client, db):
    assert client.get(URL, {"start_date": "2026-03-02", "end_date": "2026-03-03"}).status_code == 401


def test_it_counts_as_a_read(owner, settings, topic):
    # Counted in whichever cache the run has (Redis in CI); the counters are fresh per test.
    settings.RATELIMITS = {
        **settings.RATELIMITS,
        "BUCKETS": {**settings.RATELIMITS["BUCKETS"], "read": "2/m"},
    }
    client = api_client_for(make_agent(owner, "Reader"))
    answers = [_get(client).status_code for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.parametrize("size", [2, 40])
def test_fixed_queries_whatever_the_data(owner, org, topic, owner_api, django_assert_max_num_queries, size):
    start = timezone.now() - timedelta(days=3)
    ClockedTime.objects.bulk_create(
        ClockedTime(
            organization=org,
            user=owner,
            topic=topic,
            start_time=start + timedelta(hours=i),
            end_time=start + timedelta(hours=i, minutes=20),
            type="manual",
        )
        for i in range(size)
    )
    Membership.objects.filter(user=owner).update(role="owner")
    today = timezone.now().date()
    with django_assert_max_num_queries(1 + AUTH_QUERIES + 1):  # the report, auth, the rate limiter's plan
        response = owner_api.get(
            URL, {"start_date": (today - timedelta(days=7)).isoformat(), "end_date": today.isoformat()}
        )
    assert response.json()["groups"][0]["entries"] == size
