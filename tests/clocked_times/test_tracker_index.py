"""The per-tracker running-timer index, tested with raw inserts: only the database stands in the way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from tests.fixtures.auth import make_agent


def _raw_running(user: Any, topic: Any, agent: Any = None, session: str = "", minutes_ago: int = 0) -> None:
    ClockedTime.objects.bulk_create(
        [
            ClockedTime(
                organization=topic.organization,
                user=user,
                topic=topic,
                agent=agent,
                session=session,
                start_time=timezone.now() - timedelta(minutes=minutes_ago),
            )
        ]
    )


@pytest.mark.parametrize(
    ("agent_name", "session"),
    [(None, ""), ("claude", ""), ("claude", "sess-1"), (None, "sess-1")],
    ids=["person", "agent", "agent-session", "person-session"],
)
def test_a_second_running_entry_for_one_tracker_violates_the_index(owner, topic, agent_name, session):
    agent = make_agent(owner, agent_name).agent if agent_name else None
    _raw_running(owner, topic, agent, session, minutes_ago=5)
    with pytest.raises(IntegrityError) as info, transaction.atomic():
        _raw_running(owner, topic, agent, session)
    assert "clocked_time_one_running_per_tracker" in str(info.value)
    assert ClockedTime.objects.filter(end_time__isnull=True).count() == 1


def test_no_agent_and_no_session_are_trackers_of_their_own(owner, teammate, topic):
    first, second = make_agent(owner, "one").agent, make_agent(owner, "two").agent
    for agent in (None, first, second):
        for session in ("", "sess-1", "sess-2"):
            _raw_running(owner, topic, agent, session)
    _raw_running(teammate, topic, None, "")
    _raw_running(teammate, topic, None, "sess-1")
    assert ClockedTime.objects.filter(end_time__isnull=True).count() == 11


def test_finished_entries_of_one_tracker_are_not_limited(owner, topic):
    now = timezone.now()
    ClockedTime.objects.bulk_create(
        ClockedTime(
            organization=topic.organization,
            user=owner,
            topic=topic,
            session="sess-1",
            start_time=now - timedelta(hours=n + 1),
            end_time=now - timedelta(hours=n),
        )
        for n in range(3)
    )
    _raw_running(owner, topic, None, "sess-1")
    assert ClockedTime.objects.filter(session="sess-1").count() == 4
