"""Webhook endpoint writes under locks (PostgreSQL): no re-enabling after a 410, a cap that holds."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, transaction

from apps.organizations.models import Organization
from apps.webhooks.models import WebhookEndpoint
from apps.webhooks.subscriptions import endpoint_create
from tests.conftest import requires_postgres, wait_for_lock_waiters
from tests.webhooks.conftest import hooks_client

pytestmark = [requires_postgres, pytest.mark.django_db(transaction=True)]


def _run_in_threads(calls: list[Any]) -> tuple[list[threading.Thread], list[Any]]:
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            results[index] = calls[index]()
        except Exception as exc:  # the refusal itself is a result here
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(calls))]
    for thread in threads:
        thread.start()
    return threads, results


def test_a_patch_racing_a_410_does_not_re_enable_the_endpoint(owner, org, httpserver):
    endpoint, _ = endpoint_create(
        organization=org, url=httpserver.url_for("/hook"), events=["project.created"]
    )
    api = hooks_client(owner, "Owner's integration")
    gone = "The receiver answered 410 Gone on 2026-11-29 22:00 UTC."

    with transaction.atomic():
        # The statement a delivery attempt runs when the receiver answers 410 (apps.webhooks.deliveries).
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_reason=gone)
        threads, results = _run_in_threads(
            [lambda: api.patch(f"/api/webhooks/{endpoint.id}", {"description": "Billing"}, format="json")]
        )
        wait_for_lock_waiters()
    threads[0].join(timeout=20)

    response = results[0]
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    endpoint.refresh_from_db()
    assert (endpoint.active, endpoint.disabled_reason, endpoint.description) == (False, gone, "Billing")


def test_the_endpoint_cap_holds_under_concurrent_creates(org, httpserver, settings):
    settings.WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION = 3
    url = httpserver.url_for("/hook")
    for _ in range(2):
        endpoint_create(organization=org, url=url, events=["project.created"])
    racers = 6

    with transaction.atomic():
        # Hold the organization's row while every create starts, so they all race for the last place.
        Organization.objects.select_for_update().get(pk=org.pk)
        threads, results = _run_in_threads(
            [lambda: endpoint_create(organization=org, url=url, events=["project.created"])] * racers
        )
        wait_for_lock_waiters(racers)
    for thread in threads:
        thread.join(timeout=20)

    created = [result for result in results if isinstance(result, tuple)]
    refused = [result for result in results if not isinstance(result, tuple)]
    assert len(created) == 1
    assert {getattr(error, "code", repr(error)) for error in refused} == {"WEBHOOK_LIMIT_REACHED"}
    assert WebhookEndpoint.objects.filter(organization=org).count() == 3
