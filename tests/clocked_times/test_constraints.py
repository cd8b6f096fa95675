"""The database itself holds the time invariants, whatever code writes."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.clocked_times.models import ClockedTime


def _raw_entry(owner, topic, start, end):  # type: ignore[no-untyped-def]
    # bulk_create skips model-level validation: only the database stands in the way.
    return ClockedTime.objects.bulk_create(
        [
            ClockedTime(
                organization=topic.organization, user=owner, topic=topic, start_time=start, end_time=end
            )
        ]
    )


def test_a_second_running_entry_for_one_user_is_refused_by_the_database(owner, topic):
    now = timezone.now()
    _raw_entry(owner, topic, now - timedelta(hours=1), None)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_entry(owner, topic, now, None)
    assert ClockedTime.objects.filter(user=owner, end_time__isnull=True).count() == 1


def test_running_entries_of_different_users_coexist(owner, teammate, topic):
    now = timezone.now()
    _raw_entry(owner, topic, now, None)
    _raw_entry(teammate, topic, now, None)
    assert ClockedTime.objects.filter(end_time__isnull=True).count() == 2


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-5)])
def test_end_not_after_start_is_refused_by_the_database(owner, topic, offset):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_entry(owner, topic, now, now + offset)
    assert not ClockedTime.objects.exists()


def test_ids_are_opaque_prefixed_strings(owner, topic):
    entry = _raw_entry(owner, topic, timezone.now() - timedelta(minutes=5), timezone.now())[0]
    assert entry.id.startswith("ct-") and len(entry.id) == 19
    assert topic.id.startswith("top-") and topic.category_id.startswith("cat-")
    assert topic.organization_id.startswith("org-")
