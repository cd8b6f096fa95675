"""Acceptance: a real Celery worker consuming from Redis delivers to a real local HTTP receiver.

The worker runs in a thread of the test process (celery.contrib.testing), so it uses the test database;
tests are transactional because the worker's connection must see committed rows. Skipped without
REDIS_URL (the SQLite run); CI runs them on PostgreSQL and Redis.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections
from standardwebhooks import Webhook
from werkzeug import Request, Response

from apps.timer.services import timer_start
from apps.webhooks.models import WebhookDelivery, WebhookEvent
from apps.webhooks.outbox import deliveries_enqueue_due
from apps.webhooks.publisher import publisher_idle
from config.celery import app
from tests.webhooks.conftest import closed_port, wait_until

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs a Redis server (REDIS_URL); CI runs these"),
    pytest.mark.django_db(transaction=True),
]


def _close_worker_connections(**kwargs: object) -> None:
    # The worker thread's database connection would otherwise outlive the test and block dropping
    # the test database.
    connections.close_all()


@contextmanager
def celery_worker() -> Iterator[None]:
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Point the Celery app's producers at another broker URL (dropping pooled connections)."""
    previous = app.conf.broker_url

    def switch(to: str) -> None:
        app.conf.broker_url = to
        app._after_fork()  # Celery's own reset of its connection and producer pools.

    switch(url)
    try:
        yield
    finally:
        switch(previous)


def test_receiver_fails_three_times_then_accepts_four_attempts_same_id_growing_delays(
    httpserver, hook, owner, org, topic
):
    _, secret = hook
    arrivals: list[tuple[float, Request]] = []

    def receiver(request: Request) -> Response:
        arrivals.append((time.monotonic(), request))
        return Response("nope", status=500) if len(arrivals) <= 3 else Response("ok", status=200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receiver)
    with celery_worker():
        timer_start(user=owner, organization=org, topic=topic)
        delivery = WebhookDelivery.objects.get()
        wait_until(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered")

    assert len(arrivals) == 4
    event = WebhookEvent.objects.get()
    for _, request in arrivals:
        body = request.get_data()
        assert body == event.body.encode()
        assert request.headers["webhook-id"] == event.id
        assert Webhook(secret).verify(body, dict(request.headers))["id"] == event.id
        assert request.headers["X-Teeckin-Signature"] == (
            "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        )
    times = [at for at, _ in arrivals]
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps[0] < gaps[1] < gaps[2], gaps
    delivery.refresh_from_db()
    assert delivery.attempt_count == 4
    assert list(delivery.attempts.values_list("status_code", flat=True)) == [500, 500, 500, 200]


def test_with_the_broker_down_the_change_succeeds_and_the_event_waits_until_it_is_back(
    httpserver, hook, owner, org, topic
):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    with broker_at(f"redis://127.0.0.1:{closed_port()}/4"):
        started = time.monotonic()
        result = timer_start(user=owner, organization=org, topic=topic)
        # Not held by the dead broker: publishing happens on the publisher thread, after the answer.
        assert time.monotonic() - started < 3
        assert publisher_idle()  # its publish went to the dead broker, and failed

    assert result.started.pk
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempt_count == 0
    assert httpserver.log == []

    # Redis is back: the periodic sweeper re-enqueues what is due, and a worker delivers it.
    with celery_worker():
        assert deliveries_enqueue_due() == 1
        wait_until(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered")
    ((request, _),) = httpserver.log
    assert request.headers["webhook-id"] == delivery.event_id
