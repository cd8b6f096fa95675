import itertools
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.services import clocked_time_create
from apps.core.errors import NoActiveTimer, NotFound, OverlappingEntry, ValidationFailed
from apps.timer.services import timer_running, timer_start, timer_stop, timer_update
from tests.conftest import requires_postgres


def test_start_creates_a_running_timer(owner, org, topic):
    result = timer_start(user=owner, organization=org, topic=topic)
    assert result.stopped is None
    assert result.started.end_time is None and result.started.type == "timer"
    assert timer_running(user=owner) == result.started


def test_start_while_running_stops_the_running_timer_first(owner, org, topic, research):
    first = timer_start(user=owner, organization=org, topic=topic).started
    result = timer_start(user=owner, organization=org, topic=research)
    first.refresh_from_db()
    assert result.stopped == first
    assert first.end_time is not None
    # The new timer starts exactly when the old one stopped: no gap, no overlap.
    assert result.started.start_time == first.end_time
    assert ClockedTime.objects.filter(user=owner, end_time__isnull=True).get() == result.started


def test_stop_ends_the_timer_and_can_set_notes(owner, org, topic):
    timer_start(user=owner, organization=org, topic=topic, notes="draft")
    entry = timer_stop(user=owner, notes="Finished the review")
    assert entry.end_time is not None and entry.notes == "Finished the review"
    assert timer_running(user=owner) is None


def test_stop_without_notes_keeps_the_notes(owner, org, topic):
    timer_start(user=owner, organization=org, topic=topic, notes="kept")
    assert timer_stop(user=owner).notes == "kept"


def test_stop_with_nothing_running_is_a_clear_error(owner):
    with pytest.raises(NoActiveTimer):
        timer_stop(user=owner)


def test_update_replaces_notes_of_the_running_timer(owner, org, topic):
    timer_start(user=owner, organization=org, topic=topic)
    assert timer_update(user=owner, notes="Implementing auth").notes == "Implementing auth"
    timer_stop(user=owner)
    with pytest.raises(NoActiveTimer):
        timer_update(user=owner, notes="x")


def test_start_on_another_organizations_topic_is_not_found(owner, org, outsider_topic):
    with pytest.raises(NotFound):
        timer_start(user=owner, organization=org, topic=outsider_topic)
    assert not ClockedTime.objects.exists()


def test_start_on_an_archived_topic_is_refused(owner, org, topic):
    topic.archived = True
    topic.save()
    with pytest.raises(Exception) as info:
        timer_start(user=owner, organization=org, topic=topic)
    assert getattr(info.value, "code", None) == "TOPIC_ARCHIVED"


def test_notes_over_the_limit_are_refused(owner, org, topic):
    with pytest.raises(ValidationFailed):
        timer_start(user=owner, organization=org, topic=topic, notes="x" * 10_001)
    assert not ClockedTime.objects.exists()


def test_no_overlap_policy_refuses_a_timer_that_would_overlap_a_logged_entry(owner, no_overlaps, topic):
    now = timezone.now()
    # A manual entry may end up to a minute ahead; a timer started now would overlap it.
    clocked_time_create(
        user=owner,
        organization=no_overlaps,
        topic=topic,
        start_time=now - timedelta(minutes=30),
        end_time=now + timedelta(seconds=30),
        now=now,
    )
    with pytest.raises(OverlappingEntry):
        timer_start(user=owner, organization=no_overlaps, topic=topic, now=now)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_racing_starts_end_with_exactly_one_running_timer(owner, org, topic):
    errors: list[BaseException] = []
    barrier = threading.Barrier(20)

    def start() -> None:
        try:
            barrier.wait()
            timer_start(user=owner, organization=org, topic=topic)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    entries = ClockedTime.objects.filter(user=owner)
    assert entries.count() == 20
    assert entries.filter(end_time__isnull=True).count() == 1
    assert entries.filter(end_time__isnull=False).count() == 19
    # Stopped entries chain without overlap: each ends where the next begins.
    ordered = list(entries.order_by("start_time"))
    for earlier, later in itertools.pairwise(ordered):
        assert earlier.end_time == later.start_time
