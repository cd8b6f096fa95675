"""The idle-stop job: a session that fell silent has its timer ended at its last heartbeat."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.provenance import Source
from apps.timer.services import timer_heartbeat, timer_idle_stop, timer_start
from apps.timer.tasks import timers_idle_stop
from apps.webhooks.models import WebhookEvent
from apps.webhooks.subscriptions import endpoint_create


def _session_timer(  # type: ignore[no-untyped-def]
    owner, org, topic, session: str, started_minutes_ago: int, beat_minutes_ago: int | None, now=None
):
    now = now or timezone.now()
    entry = timer_start(
        user=owner,
        organization=org,
        topic=topic,
        source=Source(session=session),
        notes="Refactor",
        now=now - timedelta(minutes=started_minutes_ago),
    ).started
    if beat_minutes_ago is not None:
        timer_heartbeat(user=owner, session=session, now=now - timedelta(minutes=beat_minutes_ago))
    return entry


def test_a_session_silent_for_40_minutes_ends_at_its_last_heartbeat(org, owner, topic):
    endpoint_create(organization=org, url="http://127.0.0.1:9/hook", events=["time_entry.stopped"])
    now = timezone.now()
    silent = _session_timer(
        owner, org, topic, "crashed", started_minutes_ago=90, beat_minutes_ago=40, now=now
    )
    alive = _session_timer(owner, org, topic, "alive", started_minutes_ago=90, beat_minutes_ago=2, now=now)

    stopped = timer_idle_stop(now=now)

    assert [entry.id for entry in stopped] == [silent.id]
    silent.refresh_from_db()
    assert silent.end_time == silent.last_heartbeat_at == now - timedelta(minutes=40)
    assert silent.notes.startswith("Refactor\n[Stopped automatically: no heartbeat")
    assert "session crashed" in silent.notes and "15-minute idle limit" in silent.notes
    assert ClockedTime.objects.get(pk=alive.id).end_time is None

    data = json.loads(WebhookEvent.objects.get(name="time_entry.stopped").body)["data"]
    assert data["id"] == silent.id and data["running"] is False and data["duration"] == 50
    assert data["source"]["session"] == "crashed"


def test_a_session_without_any_heartbeat_ends_at_its_start(org, owner, topic):
    entry = _session_timer(owner, org, topic, "quiet", started_minutes_ago=20, beat_minutes_ago=None)
    young = _session_timer(owner, org, topic, "young", started_minutes_ago=10, beat_minutes_ago=None)
    assert [e.id for e in timer_idle_stop()] == [entry.id]
    entry.refresh_from_db()
    assert entry.end_time - entry.start_time < timedelta(milliseconds=1)
    assert "no heartbeat since it started" in entry.notes
    assert ClockedTime.objects.get(pk=young.id).end_time is None


def test_session_less_timers_are_left_alone_unless_configured(org, owner, teammate, topic):
    now = timezone.now()
    plain = timer_start(user=owner, organization=org, topic=topic, now=now - timedelta(hours=3)).started
    assert timer_idle_stop(now=now) == []
    assert ClockedTime.objects.get(pk=plain.id).end_time is None

    org.idle_stop_sessionless_minutes = 60
    org.save(update_fields=["idle_stop_sessionless_minutes"])
    timer_heartbeat(user=owner, now=now - timedelta(minutes=70))
    fresh = timer_start(user=teammate, organization=org, topic=topic, now=now - timedelta(minutes=30)).started
    assert [e.id for e in timer_idle_stop(now=now)] == [plain.id]
    assert ClockedTime.objects.get(pk=plain.id).end_time == now - timedelta(minutes=70)
    assert ClockedTime.objects.get(pk=fresh.id).end_time is None


def test_the_limit_is_per_organization_and_zero_turns_it_off(
    org, other_org, owner, outsider, topic, outsider_topic
):
    other_org.idle_stop_minutes = 0
    other_org.save(update_fields=["idle_stop_minutes"])
    org.idle_stop_minutes = 60
    org.save(update_fields=["idle_stop_minutes"])
    theirs = _session_timer(
        outsider, other_org, outsider_topic, "s", started_minutes_ago=300, beat_minutes_ago=200
    )
    ours = _session_timer(owner, org, topic, "s", started_minutes_ago=300, beat_minutes_ago=40)
    assert timer_idle_stop() == []
    org.idle_stop_minutes = 30
    org.save(update_fields=["idle_stop_minutes"])
    assert [e.id for e in timer_idle_stop()] == [ours.id]
    assert ClockedTime.objects.get(pk=theirs.id).end_time is None


def test_a_heartbeat_after_the_limit_but_before_the_job_keeps_it_running(org, owner, topic):
    entry = _session_timer(owner, org, topic, "s", started_minutes_ago=60, beat_minutes_ago=30)
    timer_heartbeat(user=owner, session="s")
    assert timer_idle_stop() == []
    assert ClockedTime.objects.get(pk=entry.id).end_time is None


def test_running_it_again_changes_nothing_and_the_beat_task_calls_the_service(org, owner, topic):
    _session_timer(owner, org, topic, "s", started_minutes_ago=60, beat_minutes_ago=30)
    assert timers_idle_stop() == 1
    assert timers_idle_stop() == 0
