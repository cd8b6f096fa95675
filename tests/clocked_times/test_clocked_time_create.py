import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.services import clocked_time_create
from apps.core.errors import InvalidTimeRange, NotFound, OverlappingEntry
from tests.conftest import requires_postgres

NOW = timezone.now().replace(microsecond=0)


def at(hours: float, minutes: float = 0):  # type: ignore[no-untyped-def]
    """A time today-ish, safely in the past: 10:00 is at(10)."""
    base = (NOW - timedelta(days=2)).replace(hour=0, minute=0, second=0)
    return base + timedelta(hours=hours, minutes=minutes)


def create(owner, org, topic, start, end, **kwargs):  # type: ignore[no-untyped-def]
    return clocked_time_create(
        user=owner, organization=org, topic=topic, start_time=start, end_time=end, **kwargs
    )


def test_a_manual_entry_is_recorded(owner, org, topic, tags):
    entry = create(owner, org, topic, at(9), at(10, 30), notes="Drafted quarterly report", tags=tags)
    assert entry.type == "manual" and entry.duration_minutes == 90
    assert {t.name for t in entry.tags.all()} == {"bug-fix", "feature"}


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (at(10), at(9), "after startTime"),
        (at(10), at(10), "after startTime"),
        (NOW + timedelta(minutes=5), NOW + timedelta(minutes=30), "future"),
        (at(0), at(24, 1), "24 hours"),
    ],
    ids=["end-before-start", "zero-length", "in-the-future", "over-24-hours"],
)
def test_impossible_ranges_are_refused_and_nothing_is_written(owner, org, topic, start, end, message):
    with pytest.raises(InvalidTimeRange, match=message):
        create(owner, org, topic, start, end)
    assert not ClockedTime.objects.exists()


def test_exactly_24_hours_and_a_minute_ahead_are_accepted(owner, org, topic):
    create(owner, org, topic, at(0), at(24))
    create(owner, org, topic, NOW - timedelta(minutes=10), NOW + timedelta(seconds=50), now=NOW)
    assert ClockedTime.objects.count() == 2


def test_another_organizations_topic_is_not_found(owner, org, outsider_topic):
    with pytest.raises(NotFound):
        create(owner, org, outsider_topic, at(9), at(10))


def test_overlaps_are_accepted_by_default(owner, org, topic):
    create(owner, org, topic, at(10), at(11))
    create(owner, org, topic, at(10, 30), at(11, 30))
    assert ClockedTime.objects.filter(user=owner).count() == 2


def test_no_overlap_policy_refuses_overlapping_entries(owner, no_overlaps, topic):
    first = create(owner, no_overlaps, topic, at(10), at(10, 40))
    with pytest.raises(OverlappingEntry) as info:
        create(owner, no_overlaps, topic, at(10, 39), at(11))
    assert info.value.details["overlaps"][0]["id"] == first.id
    assert ClockedTime.objects.count() == 1


def test_no_overlap_policy_accepts_touching_entries(owner, no_overlaps, topic):
    create(owner, no_overlaps, topic, at(10), at(10, 40))
    create(owner, no_overlaps, topic, at(10, 40), at(11))
    create(owner, no_overlaps, topic, at(9), at(10))
    assert ClockedTime.objects.count() == 3


def test_no_overlap_policy_is_per_user(owner, teammate, no_overlaps, topic):
    create(owner, no_overlaps, topic, at(10), at(11))
    create(teammate, no_overlaps, topic, at(10), at(11))
    assert ClockedTime.objects.count() == 2


def test_no_overlap_policy_refuses_an_entry_over_a_running_timer(owner, no_overlaps, topic):
    from apps.timer.services import timer_start

    timer_start(user=owner, organization=no_overlaps, topic=topic, now=NOW - timedelta(hours=1))
    with pytest.raises(OverlappingEntry):
        create(owner, no_overlaps, topic, NOW - timedelta(minutes=30), NOW - timedelta(minutes=10), now=NOW)


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_overlapping_entries_let_exactly_one_through(owner, no_overlaps, topic):
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def write(start, end) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            create(owner, no_overlaps, topic, start, end)
            outcomes.append("created")
        except OverlappingEntry:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=write, args=(at(10), at(11))),
        threading.Thread(target=write, args=(at(10, 30), at(11, 30))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused"]
    assert ClockedTime.objects.count() == 1
