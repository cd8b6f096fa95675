"""One deadline per attempt, and an attempt that lost its lease writes nothing.

A real local receiver trickles its answer, one header line at a time, each well within the read timeout:
socket timeouts alone let that hold an attempt for as long as the receiver likes (192 s in the probe).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from werkzeug import Request, Response

from apps.webhooks import deliveries, outbox
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.subscriptions import EVENT_NAMES, endpoint_create


class TricklingReceiver:
    """Reads the request, then sends a status line and one header line every ``interval`` seconds."""

    def __init__(self, interval: float, lines: int) -> None:
        self.interval, self.lines = interval, lines
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                self.requests += 1
                conn.sendall(b"HTTP/1.1 200 OK\r\n")
                for n in range(self.lines):
                    time.sleep(self.interval)
                    conn.sendall(f"X-Slow-{n}: still here\r\n".encode())
                conn.sendall(b"Content-Length: 2\r\n\r\nok")
            except OSError:
                return

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def trickler() -> Iterator[TricklingReceiver]:
    receiver = TricklingReceiver(interval=0.3, lines=30)  # 9 s in all, 0.3 s between bytes
    yield receiver
    receiver.close()


def test_a_trickling_receiver_is_cut_off_at_the_attempt_deadline(trickler, org, owner, topic, settings):
    settings.WEBHOOK_ATTEMPT_DEADLINE_SECONDS = 1
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 2  # never reached: each line comes after 0.3 s
    endpoint_create(organization=org, url=f"http://127.0.0.1:{trickler.port}/hook", events=EVENT_NAMES)
    from apps.timer.services import timer_start

    timer_start(user=owner, organization=org, topic=topic)
    delivery = WebhookDelivery.objects.get()

    started = time.monotonic()
    attempt = deliveries.delivery_attempt(delivery_id=delivery.id)
    elapsed = time.monotonic() - started

    assert trickler.requests == 1
    assert elapsed < 2, elapsed
    assert attempt is not None and not attempt.succeeded and attempt.status_code is None
    assert "deadline of 1 s" in attempt.error
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.locked_until is None and delivery.next_attempt_at


@pytest.mark.django_db(transaction=True)
def test_an_attempt_that_lost_its_lease_writes_nothing(httpserver, org, owner, topic, monkeypatch):
    """The receiver answers only after the lease expired and another worker claimed the delivery."""
    # This test makes the attempt itself: the commit must not hand the delivery to a (possibly eager)
    # worker first.
    monkeypatch.setattr(outbox, "publish_later", lambda publish: None)
    endpoint_create(organization=org, url=httpserver.url_for("/hook"), events=EVENT_NAMES)
    from apps.timer.services import timer_start

    timer_start(user=owner, organization=org, topic=topic)
    delivery = WebhookDelivery.objects.get()
    successor_lease = timezone.now() + timedelta(minutes=5)

    def receiver(request: Request) -> Response:
        # Meanwhile (in the receiver's thread, with its own connection) another worker took over.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(locked_until=successor_lease)
        connections.close_all()
        return Response("gone", status=410)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(receiver)
    assert deliveries.delivery_attempt(delivery_id=delivery.id) is None

    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempt_count == 0
    assert delivery.locked_until == successor_lease  # the successor's claim stands
    assert WebhookAttempt.objects.count() == 0
    assert WebhookEndpoint.objects.get().active  # nor did its 410 disable the endpoint
