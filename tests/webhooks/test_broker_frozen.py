"""A frozen broker (a private redis-server stopped with SIGSTOP) never holds a write's answer.

The probe found ``POST /api/agent/timer/start`` waiting for Redis to resume (40 s and more) because the
after-commit publish had no read timeout; behind gunicorn the client got an HTML 500 for a committed row
and its retry wrote a duplicate. Now the answer comes at once, the outbox keeps the events, and they are
delivered once Redis is back (sweeper, then a real worker). Skipped without REDIS_URL (eager Celery has
no broker to freeze); CI runs them.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from apps.clocked_times.models import ClockedTime
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.outbox import deliveries_enqueue_due
from apps.webhooks.publisher import publisher_idle
from tests.fixtures.auth import api_client_for, make_agent
from tests.webhooks.conftest import wait_until
from tests.webhooks.test_worker import broker_at, celery_worker

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Celery with a Redis broker (REDIS_URL)"),
    pytest.mark.django_db(transaction=True),
]


def test_writes_answer_at_once_while_the_broker_is_frozen_and_every_event_arrives_after(
    private_redis, httpserver, hook, owner, topic
):
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    api = api_client_for(make_agent(owner))
    with broker_at(private_redis.url(3)):
        with private_redis.frozen_for(8):
            timings = []
            for _ in range(3):
                started = time.monotonic()
                response = api.post("/api/agent/timer/start", {"topic": "Project Alpha"}, format="json")
                timings.append((response.status_code, time.monotonic() - started))
            frozen_still = private_redis.frozen
        assert frozen_still
        assert [status for status, _ in timings] == [201, 201, 201]
        # Not one publish timeout (0.25 s) inside a request; before, each waited for the thaw.
        assert all(seconds < 0.5 for _, seconds in timings), timings
        assert publisher_idle(10)
        assert ClockedTime.objects.filter(user=owner).count() == 3
        pending = WebhookDelivery.objects.filter(status="pending")
        assert pending.count() == 5  # 3 started, 2 stopped: all in the outbox, none sent yet
        assert httpserver.log == []

        # Thawed: the sweeper publishes what is due and a worker on the same broker delivers it.
        with celery_worker():
            # (The publish that timed out may still land: a frozen server's kernel took its bytes and
            # Redis runs it on resuming. The worker's claim makes that and the sweeper's copy one POST.)
            assert deliveries_enqueue_due() >= 4
            wait_until(lambda: not WebhookDelivery.objects.filter(status="pending").exists())
            time.sleep(0.5)  # a duplicate message, if any, has had time to be (not) delivered
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    delivered_ids = sorted(request.headers["webhook-id"] for request, _ in httpserver.log)
    assert delivered_ids == sorted(WebhookDelivery.objects.values_list("event_id", flat=True))
    assert len(set(delivered_ids)) == 5
