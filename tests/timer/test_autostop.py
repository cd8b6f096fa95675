"""The auto-stop job: forgotten timers end at the organization's limit."""

import json
from datetime import timedelta

from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.timer.services import timer_autostop_overdue, timer_running, timer_start
from apps.timer.tasks import timers_autostop
from apps.webhooks.models import WebhookEvent
from apps.webhooks.subscriptions import endpoint_create
from tests.conftest import make_user


def test_a_13_hour_timer_is_stopped_at_12_hours_and_a_1_hour_timer_is_left_alone(org, owner, teammate, topic):
    endpoint_create(organization=org, url="http://127.0.0.1:9/hook", events=["time_entry.stopped"])
    now = timezone.now()
    forgotten = timer_start(
        user=owner, organization=org, topic=topic, notes="Refactor", now=now - timedelta(hours=13)
    )
    fresh = timer_start(user=teammate, organization=org, topic=topic, now=now - timedelta(hours=1)).started

    stopped = timer_autostop_overdue(now=now)

    assert [entry.id for entry in stopped] == [forgotten.started.id]
    entry = ClockedTime.objects.get(pk=forgotten.started.id)
    assert entry.end_time == entry.start_time + timedelta(hours=12)
    assert entry.notes.startswith("Refactor\n") and "12-hour limit" in entry.notes
    assert timer_running(user=owner) is None
    assert timer_running(user=teammate) == fresh

    event = WebhookEvent.objects.get(name="time_entry.stopped")
    data = json.loads(event.body)["data"]
    assert data["id"] == entry.id and data["running"] is False and data["duration"] == 720


def test_the_limit_is_per_organization_and_zero_turns_it_off(
    org, other_org, owner, outsider, topic, outsider_topic
):
    org.max_timer_hours = 2
    org.save()
    other_org.max_timer_hours = 0
    other_org.save()
    now = timezone.now()
    mine = timer_start(user=owner, organization=org, topic=topic, now=now - timedelta(hours=3)).started
    theirs = timer_start(
        user=outsider, organization=other_org, topic=outsider_topic, now=now - timedelta(hours=30)
    ).started
    assert [entry.id for entry in timer_autostop_overdue(now=now)] == [mine.id]
    mine.refresh_from_db()
    assert mine.end_time == mine.start_time + timedelta(hours=2) and "2-hour limit" in mine.notes
    assert timer_running(user=outsider) == theirs


def test_running_it_again_changes_nothing(org, owner, topic):
    timer_start(user=owner, organization=org, topic=topic, now=timezone.now() - timedelta(hours=20))
    assert len(timer_autostop_overdue()) == 1
    assert timer_autostop_overdue() == []


def test_notes_at_the_length_limit_keep_the_reason(settings, org, topic):
    user = make_user("verbose", org)
    timer_start(
        user=user,
        organization=org,
        topic=topic,
        notes="n" * settings.NOTES_MAX_LENGTH,
        now=timezone.now() - timedelta(hours=13),
    )
    (entry,) = timer_autostop_overdue()
    assert len(entry.notes) == settings.NOTES_MAX_LENGTH and entry.notes.endswith("limit.]")


def test_the_beat_task_calls_the_service(org, owner, topic):
    timer_start(user=owner, organization=org, topic=topic, now=timezone.now() - timedelta(hours=13))
    assert timers_autostop.apply().get() == 1
