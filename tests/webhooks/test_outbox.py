"""Events are written to the outbox in the transaction of the change they report."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.clocked_times.services import clocked_time_create, clocked_time_delete, clocked_time_update
from apps.core.errors import Conflict, ValidationFailed
from apps.organizations.models import Membership
from apps.organizations.services import membership_add, membership_remove
from apps.timer.services import timer_start, timer_stop, timer_tags_add, timer_update
from apps.topics.events import project_event_record
from apps.topics.services import category_update, topic_create, topic_delete, topic_update
from apps.webhooks.models import WebhookDelivery, WebhookEvent
from apps.webhooks.outbox import event_record
from apps.webhooks.subscriptions import endpoint_create
from tests.conftest import make_user
from tests.webhooks.conftest import event_names, event_payload


def test_timer_start_over_a_running_timer_emits_stopped_then_started(hook, owner, org, topic, research):
    first = timer_start(user=owner, organization=org, topic=topic).started
    result = timer_start(user=owner, organization=org, topic=research)
    assert event_names(org) == ["time_entry.started", "time_entry.stopped", "time_entry.started"]
    _started, stopped, started_again = WebhookEvent.objects.filter(organization=org).order_by("created_at")
    assert event_payload(stopped)["data"]["id"] == first.id
    assert event_payload(stopped)["data"]["running"] is False
    assert event_payload(started_again)["data"]["id"] == result.started.id
    assert event_payload(started_again)["data"]["topic"] == {
        "id": research.id,
        "name": "Research",
        "category": "Internal",
    }


def test_payload_carries_id_name_time_and_the_entry_as_the_api_returns_it(hook, owner, org, topic):
    entry = timer_start(user=owner, organization=org, topic=topic, notes="Reviewing").started
    event = WebhookEvent.objects.get()
    payload = event_payload(event)
    assert set(payload) == {"id", "event", "createdAt", "data"}
    assert payload["id"] == event.id and payload["id"].startswith("evt-")
    assert payload["event"] == "time_entry.started"
    assert payload["createdAt"].endswith("Z")
    assert payload["data"]["id"] == entry.id
    assert payload["data"]["notes"] == "Reviewing"
    assert payload["data"]["user"] == "olivia"
    assert {"topicId", "startTime", "endTime", "duration", "running", "tags", "agentId"} <= set(
        payload["data"]
    )


def test_stop_update_and_manual_entries_emit_their_events(hook, owner, org, topic):
    timer_start(user=owner, organization=org, topic=topic)
    timer_update(user=owner, notes="Halfway")
    timer_stop(user=owner)
    end = timezone.now() - timedelta(hours=2)
    clocked_time_create(
        user=owner, organization=org, topic=topic, start_time=end - timedelta(hours=1), end_time=end
    )
    assert event_names(org) == [
        "time_entry.started",
        "time_entry.updated",
        "time_entry.stopped",
        "time_entry.created",
    ]


def test_a_rolled_back_change_leaves_no_event(hook, owner, org, topic):
    with pytest.raises(RuntimeError), transaction.atomic():
        timer_start(user=owner, organization=org, topic=topic)
        assert WebhookEvent.objects.count() == 1
        raise RuntimeError("the request failed after the service ran")
    assert WebhookEvent.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0


def test_a_refused_change_leaves_no_event(hook, owner, org, topic):
    timer_start(user=owner, organization=org, topic=topic)
    with pytest.raises(ValidationFailed):
        timer_update(user=owner, notes="x" * 20_000)
    assert event_names(org) == ["time_entry.started"]


def test_one_delivery_per_subscribed_active_endpoint_of_the_organization(
    httpserver, owner, org, other_org, topic
):
    url = httpserver.url_for("/hook")
    wanted, _ = endpoint_create(organization=org, url=url, events=["time_entry.started"])
    endpoint_create(organization=org, url=url, events=["time_entry.stopped"])
    disabled, _ = endpoint_create(organization=org, url=url, events=["time_entry.started"])
    disabled.active = False
    disabled.save()
    endpoint_create(organization=other_org, url=url, events=["time_entry.started"])

    timer_start(user=owner, organization=org, topic=topic)
    delivery = WebhookDelivery.objects.get()
    assert delivery.endpoint == wanted
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    assert delivery.retry_until - delivery.event.created_at == timedelta(days=3)


def test_no_subscriber_no_event_and_no_serialization(owner, org, topic):
    called = []
    assert event_record(organization=org, name="project.created", data=lambda: called.append(1) or {}) is None
    timer_start(user=owner, organization=org, topic=topic)
    assert WebhookEvent.objects.count() == 0 and called == []


def test_unknown_event_names_are_a_programming_error(org):
    with pytest.raises(ValueError):
        event_record(organization=org, name="screenshot.captured", data={})


def test_project_events_carry_the_topic_as_the_api_returns_it(hook, org, topic):
    project_event_record(name="project.created", topic=topic)
    data = event_payload(WebhookEvent.objects.get())["data"]
    assert data["id"] == topic.id and data["name"] == "Project Alpha" and data["category"] == "Client Work"


def test_membership_services_emit_user_joined_and_removed(hook, org):
    user = make_user("newcomer", None)
    membership = membership_add(organization=org, user=user)
    assert membership.role == "member"
    membership_id = membership.id
    membership_remove(membership=membership)
    joined, removed = WebhookEvent.objects.filter(organization=org).order_by("created_at")
    assert (joined.name, removed.name) == ("user.joined", "user.removed")
    assert event_payload(joined)["data"]["username"] == "newcomer"
    assert event_payload(removed)["data"]["id"] == membership_id
    assert not Membership.objects.filter(user=user).exists()


def test_a_user_joins_at_most_one_organization(org, other_org, owner):
    with pytest.raises(Conflict):
        membership_add(organization=other_org, user=owner)
    assert WebhookEvent.objects.count() == 0


def test_event_time_is_the_time_of_the_change(hook, org, topic):
    at = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)
    event = event_record(organization=org, name="project.updated", data={"id": topic.id}, now=at)
    assert event_payload(event)["createdAt"] == "2026-03-30T10:00:00Z"


def test_topic_services_emit_project_events_and_a_refused_delete_emits_none(
    hook, owner, org, topic, research
):
    created = topic_create(organization=org, name="Launch", category_id=topic.category_id)
    topic_update(topic=created, archived=True)
    topic_delete(topic=created)
    timer_start(user=owner, organization=org, topic=research)
    with pytest.raises(Conflict):
        topic_delete(topic=research)  # time is logged on it
    names = [name for name in event_names(org) if name.startswith("project.")]
    assert names == ["project.created", "project.updated", "project.deleted"]
    deleted = WebhookEvent.objects.get(name="project.deleted")
    assert event_payload(deleted)["data"]["name"] == "Launch"


def test_a_category_rename_emits_project_updated_for_each_of_its_topics(hook, org, topic, research):
    second = topic_create(organization=org, name="Project Beta", category_id=topic.category_id)
    WebhookEvent.objects.all().delete()
    category_update(category=topic.category, name="Clients")
    category_update(category=topic.category, name="Clients")  # no change, no events
    events = WebhookEvent.objects.filter(organization=org).order_by("created_at")
    assert [e.name for e in events] == ["project.updated", "project.updated"]
    assert {(event_payload(e)["data"]["id"], event_payload(e)["data"]["category"]) for e in events} == {
        (topic.id, "Clients"),
        (second.id, "Clients"),
    }


def test_entry_edits_tags_and_deletes_emit_their_events(hook, owner, org, topic):
    end = timezone.now() - timedelta(hours=2)
    entry = clocked_time_create(
        user=owner, organization=org, topic=topic, start_time=end - timedelta(hours=1), end_time=end
    )
    clocked_time_update(entry=entry, notes="Fixed the build")
    entry_id = entry.id
    clocked_time_delete(entry=entry)
    running = timer_start(user=owner, organization=org, topic=topic).started
    timer_tags_add(user=owner, organization=org, names=["urgent"])
    clocked_time_update(entry=running, end_time=timezone.now())
    assert event_names(org) == [
        "time_entry.created",
        "time_entry.updated",
        "time_entry.deleted",
        "time_entry.started",
        "time_entry.updated",
        "time_entry.updated",
        "time_entry.stopped",
    ]
    deleted = WebhookEvent.objects.get(name="time_entry.deleted")
    assert event_payload(deleted)["data"]["id"] == entry_id
    tagged = WebhookEvent.objects.filter(name="time_entry.updated").order_by("created_at")[1]
    assert event_payload(tagged)["data"]["tags"] == ["urgent"]
