"""Time entries in the admin: notes and tags through clocked_time_update, deletion through the service."""

from datetime import timedelta

from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.services import clocked_time_create
from tests.admin.conftest import events


def _entry(owner, org, topic):  # type: ignore[no-untyped-def]
    end = timezone.now() - timedelta(hours=1)
    return clocked_time_create(
        user=owner, organization=org, topic=topic, start_time=end - timedelta(hours=1), end_time=end
    )


def test_editing_notes_and_tags_goes_through_the_service(org_admin, hook, owner, org, topic, tags):
    entry = _entry(owner, org, topic)
    url = f"/admin/clocked_times/clockedtime/{entry.pk}/change/"
    response = org_admin.post(url, {"notes": "Fixed in review", "tags": [tags[0].pk]})
    assert response.status_code == 302, response.content[:2000]
    entry.refresh_from_db()
    assert entry.notes == "Fixed in review"
    assert [t.name for t in entry.tags.all()] == ["bug-fix"]
    assert events(org)[-1] == "time_entry.updated"


def test_notes_over_the_limit_are_refused_without_a_500(org_admin, hook, owner, org, topic):
    entry = _entry(owner, org, topic)
    url = f"/admin/clocked_times/clockedtime/{entry.pk}/change/"
    response = org_admin.post(url, {"notes": "x" * 10_001}, follow=True)
    assert response.status_code == 200
    entry.refresh_from_db()
    assert entry.notes == ""
    assert "time_entry.updated" not in events(org)


def test_deleting_an_entry_emits_time_entry_deleted(org_admin, hook, owner, org, topic):
    entry = _entry(owner, org, topic)
    response = org_admin.post(f"/admin/clocked_times/clockedtime/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ClockedTime.objects.filter(pk=entry.pk).exists()
    assert events(org)[-1] == "time_entry.deleted"


def test_another_organizations_entry_is_out_of_reach(org_admin, outsider, other_org, outsider_topic):
    entry = _entry(outsider, other_org, outsider_topic)
    response = org_admin.get(f"/admin/clocked_times/clockedtime/{entry.pk}/change/")
    assert response.status_code == 302  # the admin's "does not exist" redirect
    response = org_admin.post(f"/admin/clocked_times/clockedtime/{entry.pk}/delete/", {"post": "yes"})
    assert ClockedTime.objects.filter(pk=entry.pk).exists()
