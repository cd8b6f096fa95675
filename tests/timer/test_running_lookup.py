"""The prebuilt running-timer lookup answers exactly what the tracker queryset answers, for every shape of
caller (agent or person, with or without a session) over a person with many running timers at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from apps.agents.services import agent_create
from apps.clocked_times.models import ClockedTime
from apps.timer.services import _tracker_running, _tracker_stop, timer_running


def _running_timers(
    owner: Any, topics: tuple[Any, Any], trackers: list[tuple[Any, str]], now: Any, **fields: Any
) -> None:
    """A running timer per (agent, session), a minute apart, oldest first, on alternating topics."""
    for minutes, (agent, session) in enumerate(trackers):
        ClockedTime.objects.create(
            organization=owner.membership.organization,
            user=owner,
            topic=topics[minutes % 2],
            agent=agent,
            session=session,
            start_time=now - timedelta(minutes=60 - minutes),
            **fields,
        )


@pytest.mark.django_db
@pytest.mark.parametrize("own_timer", [True, False], ids=["with-own-timer", "without-own-timer"])
def test_it_matches_the_tracker_queryset(owner: Any, topic: Any, research: Any, own_timer: bool) -> None:
    first, _ = agent_create(user=owner, name="First")
    second, _ = agent_create(user=owner, name="Second")
    idle, _ = agent_create(user=owner, name="Idle")
    now = timezone.now()
    running = [(first, ""), (second, ""), (first, "s-1"), (first, "s-2"), (second, "s-1")]
    if own_timer:
        running.append((None, ""))
    _running_timers(owner, (research, topic), running, now)
    callers = [
        (agent, session) for agent in (first, second, idle, None) for session in ("", "s-1", "s-2", "s-9")
    ]
    for agent, session in callers:
        expected = _tracker_running(user=owner, agent=agent, session=session).first()
        found = timer_running(user=owner, agent=agent, session=session)
        assert (found and found.pk) == (expected and expected.pk), (agent, session)
        if found is not None:
            assert found.topic.name == expected.topic.name
            assert found.topic.category.name == expected.topic.category.name


@pytest.mark.django_db
def test_the_stop_ends_the_entry_the_lookup_finds(owner: Any, topic: Any, research: Any) -> None:
    # On PostgreSQL the start's and stop's "end the running timer" is one UPDATE ... RETURNING that picks
    # its row itself: it must pick the row the lookup (and so timer status) shows, for every caller shape.
    first, _ = agent_create(user=owner, name="First")
    second, _ = agent_create(user=owner, name="Second")
    now = timezone.now()
    running = [(first, ""), (second, ""), (first, "s-1"), (None, ""), (None, "s-1")]
    _running_timers(owner, (research, topic), running, now, notes="kept")
    for agent in (first, second, None):
        for session in ("", "s-1", "s-9"):
            with transaction.atomic():
                expected = _tracker_running(user=owner, agent=agent, session=session).first()
                stopped = _tracker_stop(user=owner, agent=agent, session=session, at=now)
                assert (stopped and stopped.pk) == (expected and expected.pk), (agent, session)
                if stopped is not None:
                    stored = ClockedTime.objects.get(pk=stopped.pk)
                    assert stored.end_time == stopped.end_time == now
                    assert stored.notes == stopped.notes == "kept"
                    assert stopped.topic.name == expected.topic.name
                    assert stopped.topic.category.name == expected.topic.category.name
                transaction.set_rollback(True)


@pytest.mark.django_db
def test_a_stop_never_ends_before_the_start_and_replaces_the_notes(owner: Any, topic: Any) -> None:
    # The check constraint wants end > start: a stop in the start's own microsecond ends one after it.
    start = timezone.now() - timedelta(minutes=5)
    entry = ClockedTime.objects.create(
        organization=owner.membership.organization, user=owner, topic=topic, start_time=start, notes="old"
    )
    stopped = _tracker_stop(user=owner, agent=None, session="", at=start, notes="new")
    assert stopped.pk == entry.pk
    stored = ClockedTime.objects.get(pk=entry.pk)
    assert stored.end_time == stopped.end_time == start + timedelta(microseconds=1)
    assert stored.notes == stopped.notes == "new"
    assert stored.updated_at > start
