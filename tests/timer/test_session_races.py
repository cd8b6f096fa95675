"""Racing starts on PostgreSQL: the person's row lock and the per-tracker index keep one timer per tracker."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from rest_framework.test import APIClient

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.provenance import Source
from apps.timer.services import timer_start
from tests.conftest import requires_postgres
from tests.fixtures.auth import issue_token

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def _race(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run every call at once (a barrier releases them together), each thread on its own connection."""
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_twenty_racing_starts_on_one_session_leave_exactly_one_running(owner, org, topic, owner_agent):
    def start() -> Any:
        return timer_start(
            user=owner, organization=org, topic=topic, agent=owner_agent.agent, source=Source(session="s1")
        )

    _results, errors = _race([start] * 20)

    assert errors == []
    entries = ClockedTime.objects.filter(user=owner, session="s1")
    assert entries.count() == 20
    assert entries.filter(end_time__isnull=True).count() == 1
    ordered = list(entries.order_by("start_time"))
    for earlier, later in itertools.pairwise(ordered):
        assert earlier.end_time == later.start_time


def test_twenty_racing_starts_on_each_of_five_sessions_leave_five_running_and_no_5xx(
    settings, owner, topic, owner_agent
):
    # The 10/minute timer bucket would turn most of these into 429s; the race, not the limit, is tested.
    settings.RATELIMIT_ENABLE = False
    token = issue_token(owner_agent)
    sessions = [f"claude-{n}" for n in range(5)]

    def start(session: str) -> Callable[[], int]:
        def call() -> int:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_X_TEECKIN_SESSION=session)
            return client.post("/api/agent/timer/start", {"topic": topic.id}, format="json").status_code

        return call

    statuses, errors = _race([start(session) for session in sessions for _ in range(20)])

    assert errors == []
    assert sorted(set(statuses)) == [201], statuses
    running = ClockedTime.objects.filter(user=owner, end_time__isnull=True)
    assert sorted(running.values_list("session", flat=True)) == sessions
    assert ClockedTime.objects.filter(user=owner).count() == 100
    for session in sessions:
        ordered = list(ClockedTime.objects.filter(session=session).order_by("start_time"))
        assert len(ordered) == 20
        for earlier, later in itertools.pairwise(ordered):
            assert earlier.end_time == later.start_time
