"""Start and stop "at" a past time: an offline client's replayed journal keeps the times things happened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from tests.api.helpers import assert_documented

START = "/api/agent/timer/start"
STOP = "/api/agent/timer/stop"


def _iso(minutes_ago: float) -> str:
    return (timezone.now() - timedelta(minutes=minutes_ago)).replace(microsecond=0).isoformat()


def test_a_replayed_start_and_stop_keep_their_times(owner_api, owner, topic):
    started_at, stopped_at = _iso(90), _iso(30)
    response = owner_api.post(START, {"topic": topic.id, "at": started_at}, format="json")
    assert response.status_code == 201
    assert_documented(response)
    entry = ClockedTime.objects.get(pk=response.json()["clockedTimeId"])
    assert entry.start_time.isoformat() == started_at

    response = owner_api.post(STOP, {"at": stopped_at, "notes": "Replayed"}, format="json")
    assert response.status_code == 200 and response.json()["duration"] == 60
    entry.refresh_from_db()
    assert entry.end_time.isoformat() == stopped_at and entry.notes == "Replayed"


def test_an_offset_other_than_utc_is_the_same_instant(owner_api, topic):
    at = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    paris = at.astimezone(timezone.get_fixed_timezone(60)).isoformat()
    response = owner_api.post("/api/v1/timer/start", {"topicId": topic.id, "at": paris}, format="json")
    assert response.status_code == 201
    assert ClockedTime.objects.get(pk=response.json()["clockedTime"]["id"]).start_time == at


def test_a_replayed_start_stops_the_running_timer_at_that_time(owner_api, topic, research):
    first = owner_api.post(START, {"topic": topic.id, "at": _iso(60)}, format="json").json()
    at = _iso(20)
    second = owner_api.post(START, {"topic": research.id, "at": at}, format="json")
    assert second.status_code == 201
    assert ClockedTime.objects.get(pk=first["clockedTimeId"]).end_time.isoformat() == at
    assert ClockedTime.objects.get(pk=second.json()["clockedTimeId"]).start_time.isoformat() == at


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2026-03-30T09:00:00", "Must include a UTC offset"),
        ("yesterday", "ISO 8601"),
        (12345, "ISO 8601"),
    ],
    ids=["naive", "not-a-time", "a-number"],
)
def test_unusable_times_are_a_400(owner_api, topic, at, message):
    for path, body in ((START, {"topic": topic.id}), ("/api/v1/timer/stop", {})):
        response = owner_api.post(path, {**body, "at": at}, format="json")
        assert response.status_code == 400, response.content
        assert message in response.json()["details"]["at"][0]
    assert not ClockedTime.objects.exists()


def test_more_than_a_day_back_or_in_the_future_is_refused(owner_api, topic):
    for at in (_iso(24 * 60 + 5), _iso(-5)):
        response = owner_api.post(START, {"topic": topic.id, "at": at}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "INVALID_TIME_RANGE"
        assert "at" in response.json()["details"]
    assert not ClockedTime.objects.exists()


def test_a_clock_a_few_seconds_ahead_counts_as_now(owner_api, topic):
    response = owner_api.post(START, {"topic": topic.id, "at": _iso(-0.5)}, format="json")
    assert response.status_code == 201
    entry = ClockedTime.objects.get(pk=response.json()["clockedTimeId"])
    assert entry.start_time <= timezone.now()


def test_a_stop_before_the_running_timers_start_is_refused(owner_api, topic):
    entry_id = owner_api.post(START, {"topic": topic.id, "at": _iso(30)}, format="json").json()[
        "clockedTimeId"
    ]
    response = owner_api.post(STOP, {"at": _iso(45)}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "INVALID_TIME_RANGE"
    assert ClockedTime.objects.get(pk=entry_id).end_time is None
    # And a start "at" before the running timer's start would have to stop it before it began.
    response = owner_api.post(START, {"topic": topic.id, "at": _iso(45)}, format="json")
    assert response.status_code == 400
    assert ClockedTime.objects.filter(end_time__isnull=True).get().pk == entry_id
