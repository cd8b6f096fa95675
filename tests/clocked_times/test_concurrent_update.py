"""PATCH /api/clocked-times/{id} racing a stop: the edit never undoes the stop (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.rules import user_lock
from apps.timer.services import timer_start
from tests.conftest import make_topic, requires_postgres, wait_for_lock_waiters
from tests.fixtures.auth import api_client_for

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def _in_thread(call: Any) -> tuple[threading.Thread, dict[str, Any]]:
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["response"] = call()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_a_patch_racing_a_new_timer_keeps_the_stop_and_its_own_change(owner, owner_agent, org, topic):
    api = api_client_for(owner_agent)
    first = timer_start(user=owner, organization=org, topic=topic).started
    other = make_topic(org, "Project Beta")

    with transaction.atomic():
        # Hold the user's lock while the PATCH reads the running entry and comes to wait for the lock…
        user_lock(user=owner)
        thread, result = _in_thread(
            lambda: api.patch(f"/api/clocked-times/{first.id}", {"notes": "Reviewed"}, format="json")
        )
        wait_for_lock_waiters()
        # …then stop it by starting another timer, and let the PATCH go on.
        second = timer_start(user=owner, organization=org, topic=other).started
    thread.join(timeout=20)

    response = result["response"]
    assert response.status_code == 200, response.content
    assert response.json()["running"] is False
    first.refresh_from_db()
    assert first.end_time is not None and first.notes == "Reviewed"
    assert list(ClockedTime.objects.filter(user=owner, end_time__isnull=True)) == [second]


def test_a_patch_racing_a_stop_does_not_restart_the_timer(owner, owner_agent, org, topic):
    from apps.timer.services import timer_stop

    api = api_client_for(owner_agent)
    running = timer_start(user=owner, organization=org, topic=topic).started

    with transaction.atomic():
        user_lock(user=owner)
        thread, result = _in_thread(
            lambda: api.patch(f"/api/clocked-times/{running.id}", {"tags": ["review"]}, format="json")
        )
        wait_for_lock_waiters()
        timer_stop(user=owner)
    thread.join(timeout=20)

    assert result["response"].status_code == 200, result["response"].content
    running.refresh_from_db()
    assert running.end_time is not None
    assert [tag.name for tag in running.tags.all()] == ["review"]
    assert not ClockedTime.objects.filter(user=owner, end_time__isnull=True).exists()
