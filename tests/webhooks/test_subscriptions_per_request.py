"""An organization's webhook subscriptions are read once per request, however many events it emits."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.webhooks.outbox import event_record
from apps.webhooks.subscriptions import endpoint_create, subscriptions_remembered


def _endpoint_reads(captured: CaptureQueriesContext) -> int:
    return sum(
        1
        for query in captured.captured_queries
        if 'FROM "webhooks_webhookendpoint"' in query["sql"] and query["sql"].lstrip().startswith("SELECT")
    )


@pytest.mark.django_db
def test_a_start_over_a_running_timer_reads_the_subscriptions_once(
    owner_api: Any, org: Any, topic: Any
) -> None:
    endpoint_create(organization=org, url="http://127.0.0.1:9/t", events=["time_entry.started"])
    assert owner_api.post("/api/agent/timer/start", {"topic": topic.name}, format="json").status_code == 201
    with CaptureQueriesContext(connection) as captured:
        response = owner_api.post("/api/agent/timer/start", {"topic": topic.name}, format="json")
    assert response.status_code == 201
    # Two events (the stop of the running timer, the start of the new one), one read.
    assert _endpoint_reads(captured) == 1


@pytest.mark.django_db
def test_an_endpoint_created_inside_the_block_is_seen_by_the_next_event(org: Any) -> None:
    with subscriptions_remembered():
        assert event_record(organization=org, name="project.created", data={"id": "top-x"}) is None
        endpoint_create(organization=org, url="http://127.0.0.1:9/p", events=["project.created"])
        assert event_record(organization=org, name="project.created", data={"id": "top-x"}) is not None


@pytest.mark.django_db
def test_outside_a_request_every_event_reads_the_table(org: Any) -> None:
    endpoint_create(organization=org, url="http://127.0.0.1:9/p", events=["project.created"])
    with CaptureQueriesContext(connection) as captured:
        event_record(organization=org, name="project.updated", data={"id": "top-x"})
        event_record(organization=org, name="project.updated", data={"id": "top-x"})
    assert _endpoint_reads(captured) == 2


@pytest.mark.django_db
def test_without_endpoints_a_write_never_reads_the_subscriptions(owner_api: Any, topic: Any) -> None:
    # The credential lookup already asked whether the organization has an active endpoint.
    assert owner_api.post("/api/agent/timer/start", {"topic": topic.name}, format="json").status_code == 201
    with CaptureQueriesContext(connection) as captured:
        assert (
            owner_api.post("/api/agent/timer/start", {"topic": topic.name}, format="json").status_code == 201
        )
        assert owner_api.post("/api/agent/timer/stop").status_code == 200
    assert _endpoint_reads(captured) == 0


@pytest.mark.django_db
def test_an_inactive_endpoint_counts_as_none(owner_api: Any, org: Any, topic: Any) -> None:
    endpoint, _ = endpoint_create(organization=org, url="http://127.0.0.1:9/t", events=["time_entry.started"])
    endpoint.active = False
    endpoint.save()
    with CaptureQueriesContext(connection) as captured:
        assert (
            owner_api.post("/api/agent/timer/start", {"topic": topic.name}, format="json").status_code == 201
        )
    assert _endpoint_reads(captured) == 0
