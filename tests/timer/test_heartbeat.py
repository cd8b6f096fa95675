"""POST /api/agent/timer/heartbeat (and /api/v1/timer/heartbeat): "this tracker is still working"."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from tests.api.helpers import AUTH_QUERIES, assert_documented
from tests.ratelimits.helpers import set_limits

BEAT = "/api/agent/timer/heartbeat"
SESSION = {"HTTP_X_TEECKIN_SESSION": "sess-a"}


def _start(api, topic, **headers) -> str:  # type: ignore[no-untyped-def]
    response = api.post("/api/agent/timer/start", {"topic": topic.id}, format="json", **headers)
    assert response.status_code == 201
    return response.json()["clockedTimeId"]


def _updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


@pytest.mark.parametrize("path", [BEAT, "/api/v1/timer/heartbeat", "/api/timer/heartbeat"])
def test_a_heartbeat_records_the_time_and_answers_204(owner_api, topic, path):
    entry_id = _start(owner_api, topic, **SESSION)
    response = owner_api.post(path, **SESSION)
    assert response.status_code == 204 and response.content == b""
    assert_documented(response)
    beat = ClockedTime.objects.get(pk=entry_id).last_heartbeat_at
    assert beat is not None and abs((timezone.now() - beat).total_seconds()) < 5


def test_it_is_written_at_most_once_a_minute_per_tracker(owner_api, topic):
    entry_id = _start(owner_api, topic, **SESSION)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert owner_api.post(BEAT, **SESSION).status_code == 204
        first = ClockedTime.objects.get(pk=entry_id).last_heartbeat_at
        clock.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert owner_api.post(BEAT, **SESSION).status_code == 204
        assert [q for q in _updates(queries) if "clocked_times_clockedtime" in q] == []
        assert ClockedTime.objects.get(pk=entry_id).last_heartbeat_at == first
        clock.shift(timedelta(seconds=31))
        with CaptureQueriesContext(connection) as queries:
            assert owner_api.post(BEAT, **SESSION).status_code == 204
        assert len([q for q in _updates(queries) if "clocked_times_clockedtime" in q]) == 1
        assert ClockedTime.objects.get(pk=entry_id).last_heartbeat_at == first + timedelta(seconds=61)


def test_without_a_running_timer_it_is_404_no_active_timer(owner_api, topic):
    response = owner_api.post(BEAT, **SESSION)
    assert response.status_code == 404 and response.json()["code"] == "NO_ACTIVE_TIMER"
    assert_documented(response)
    # Another session's timer does not answer for this one.
    _start(owner_api, topic, HTTP_X_TEECKIN_SESSION="sess-b")
    assert owner_api.post(BEAT, **SESSION).status_code == 404


def test_it_touches_only_the_callers_tracker(owner_api, teammate_api, topic):
    mine = _start(owner_api, topic, **SESSION)
    other = _start(owner_api, topic, HTTP_X_TEECKIN_SESSION="sess-b")
    teammates = _start(teammate_api, topic, **SESSION)
    assert owner_api.post(BEAT, **SESSION).status_code == 204
    beats = dict(ClockedTime.objects.values_list("id", "last_heartbeat_at"))
    assert beats[mine] is not None and beats[other] is None and beats[teammates] is None


def test_a_body_is_optional_and_unknown_fields_are_refused(owner_api, topic):
    _start(owner_api, topic, **SESSION)
    assert owner_api.post(BEAT, {}, format="json", **SESSION).status_code == 204
    response = owner_api.post(BEAT, {"session": "x"}, format="json", **SESSION)
    assert response.status_code == 400 and response.json()["details"] == {"session": ["Unknown field."]}


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs a Redis server: set REDIS_URL (CI does)")
def test_heartbeats_count_in_their_own_bucket_only(settings, owner_api, topic):
    set_limits(settings, {"heartbeat": "3/m", "timer": "2/m", "write": "2/m"})
    _start(owner_api, topic, **SESSION)  # timer 1/2, write 1/2
    for _ in range(3):
        response = owner_api.post(BEAT, **SESSION)
        assert response.status_code == 204
        assert response.headers["X-RateLimit-Bucket"] == "heartbeat"
    refused = owner_api.post(BEAT, **SESSION)
    assert refused.status_code == 429 and refused.json()["details"]["bucket"] == "heartbeat"
    # The timer and write buckets were not used by the heartbeats: a stop still fits.
    assert owner_api.post("/api/agent/timer/stop", **SESSION).status_code == 200


def test_a_heartbeat_costs_one_read_and_at_most_one_write(owner_api, topic, django_assert_max_num_queries):
    _start(owner_api, topic, **SESSION)
    with django_assert_max_num_queries(2 + AUTH_QUERIES):
        assert owner_api.post(BEAT, **SESSION).status_code == 204
