"""The prebuilt running-timer lookup answers exactly what the tracker queryset answers, for every shape of
caller (agent or person, with or without a session) over a person with many running timers at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from apps.agents.services import agent_create
from apps.clocked_times.models import ClockedTime
from apps.timer.services import _tracker_running, timer_running


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
    for minutes, (agent, session) in enumerate(running):
        ClockedTime.objects.create(
            organization=owner.membership.organization,
            user=owner,
            topic=topic if minutes % 2 else research,
            agent=agent,
            session=session,
            start_time=now - timedelta(minutes=60 - minutes),
        )
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
