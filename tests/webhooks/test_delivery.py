"""Delivery attempts against a real local receiver (pytest-httpserver), one attempt at a time."""

import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook
from werkzeug import Response

from apps.timer.services import timer_start
from apps.webhooks import deliveries, outbox
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from apps.webhooks.publisher import publisher_idle
from apps.webhooks.tasks import webhook_deliver


@pytest.fixture
def delivery(hook, owner, org, topic) -> WebhookDelivery:
    timer_start(user=owner, organization=org, topic=topic)
    return WebhookDelivery.objects.select_related("event").get()


def _due(delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_a_2xx_delivers_signed_json_and_logs_the_attempt(httpserver, hook, delivery):
    _endpoint, secret = hook
    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("thanks", status=202)
    attempt = deliveries.delivery_attempt(delivery_id=delivery.id)
    request, _ = httpserver.log[0]
    body = request.get_data()
    assert body == delivery.event.body.encode()
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Teeckin-Signature"] == (
        "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    )
    assert Webhook(secret).verify(body, dict(request.headers))["event"] == "time_entry.started"
    assert request.headers["webhook-id"] == delivery.event.id

    assert attempt.succeeded and attempt.status_code == 202 and attempt.response_body == "thanks"
    assert attempt.number == 1 and attempt.duration_ms >= 0
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.next_attempt_at is None and delivery.attempt_count == 1


def test_a_delivered_or_not_yet_due_delivery_is_not_sent_again(httpserver, hook, delivery):
    httpserver.expect_request("/hook").respond_with_data("ok")
    deliveries.delivery_attempt(delivery_id=delivery.id)
    assert deliveries.delivery_attempt(delivery_id=delivery.id) is None
    assert len(httpserver.log) == 1

    deliveries.delivery_redeliver(delivery=delivery)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert deliveries.delivery_attempt(delivery_id=delivery.id) is None
    assert len(httpserver.log) == 1


def test_a_delivery_claimed_by_another_worker_is_left_alone(httpserver, hook, delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(locked_until=timezone.now() + timedelta(minutes=1))
    assert deliveries.delivery_attempt(delivery_id=delivery.id) is None
    assert httpserver.log == []


def test_a_5xx_schedules_a_retry_with_backoff_and_the_same_webhook_id(httpserver, hook, delivery):
    httpserver.expect_request("/hook").respond_with_data("x" * 10_000, status=503)
    before = timezone.now()
    attempt = deliveries.delivery_attempt(delivery_id=delivery.id)
    assert not attempt.succeeded and attempt.status_code == 503
    assert len(attempt.response_body) == 2000  # truncated
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempt_count == 1
    # Test settings: base delay 0.5 s with +/-20% jitter.
    assert (
        before + timedelta(seconds=0.4) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=0.6)
    )
    assert delivery.last_error == "HTTP 503"

    _due(delivery)
    deliveries.delivery_attempt(delivery_id=delivery.id)
    ids = {request.headers["webhook-id"] for request, _ in httpserver.log}
    assert ids == {delivery.event.id}
    assert list(delivery.attempts.values_list("number", flat=True)) == [1, 2]


def test_backoff_doubles_with_jitter_and_is_capped(settings):
    settings.WEBHOOK_RETRY_BASE_DELAY = timedelta(minutes=1)
    delays = [deliveries.retry_delay(attempt_number=n).total_seconds() for n in range(1, 16)]
    assert 48 <= delays[0] <= 72 and 96 <= delays[1] <= 144 and 192 <= delays[2] <= 288
    assert all(d <= 12 * 3600 * 1.2 for d in delays)
    assert delays[-1] >= 12 * 3600 * 0.8


def test_a_redirect_is_a_failure_and_is_not_followed(httpserver, hook, delivery):
    httpserver.expect_request("/hook").respond_with_response(
        Response(status=302, headers={"Location": httpserver.url_for("/elsewhere")})
    )
    httpserver.expect_request("/elsewhere").respond_with_data("ok")
    attempt = deliveries.delivery_attempt(delivery_id=delivery.id)
    assert attempt.status_code == 302 and not attempt.succeeded
    assert [request.path for request, _ in httpserver.log] == ["/hook"]
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_a_timeout_is_a_failure_that_is_retried(settings, httpserver, hook, delivery):
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 0.3

    def slow(request):
        time.sleep(1)
        return Response("late")

    httpserver.expect_request("/hook").respond_with_handler(slow)
    attempt = deliveries.delivery_attempt(delivery_id=delivery.id)
    assert attempt.status_code is None and attempt.error.startswith("timeout")
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None


def test_a_closed_port_is_a_failure_that_is_retried(unused_port_url, hook, delivery):
    endpoint, _ = hook
    endpoint.url = unused_port_url
    endpoint.save()
    attempt = deliveries.delivery_attempt(delivery_id=delivery.id)
    assert attempt.status_code is None and attempt.error.startswith("connection error")
    delivery.refresh_from_db()
    assert delivery.status == "pending"


def test_retry_after_is_honoured(httpserver, hook, delivery):
    httpserver.expect_request("/hook").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )
    deliveries.delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=115)


def test_retry_after_as_an_http_date_is_honoured(httpserver, hook, delivery):
    when = timezone.now() + timedelta(hours=1)
    httpserver.expect_request("/hook").respond_with_data(
        "", status=503, headers={"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")}
    )
    deliveries.delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= when - timedelta(seconds=2)


def test_410_disables_the_endpoint_and_stops_its_deliveries(httpserver, hook, delivery, owner):
    endpoint, _ = hook
    httpserver.expect_request("/hook").respond_with_data("gone", status=410)
    deliveries.delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None
    assert not endpoint.active and "410" in endpoint.disabled_reason
    # Nothing more is queued for it.
    from apps.timer.services import timer_stop

    timer_stop(user=owner)
    assert WebhookDelivery.objects.count() == 1


def test_a_delivery_past_its_retry_window_fails(httpserver, hook, delivery):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        retry_until=timezone.now() + timedelta(milliseconds=100)
    )
    httpserver.expect_request("/hook").respond_with_data("", status=500)
    deliveries.delivery_attempt(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None and delivery.attempt_count == 1


def test_redeliver_resends_with_the_same_webhook_id(httpserver, hook, delivery):
    httpserver.expect_request("/hook").respond_with_data("ok")
    deliveries.delivery_attempt(delivery_id=delivery.id)
    deliveries.delivery_redeliver(delivery=delivery)
    deliveries.delivery_attempt(delivery_id=delivery.id)
    first, second = (request.headers["webhook-id"] for request, _ in httpserver.log)
    assert first == second == delivery.event.id
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempt_count == 2


def test_the_sweeper_enqueues_only_due_unclaimed_pending_deliveries(monkeypatch, hook, delivery, owner):
    from apps.timer.services import timer_stop

    timer_stop(user=owner)
    claimed = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    WebhookDelivery.objects.filter(pk=claimed.pk).update(locked_until=timezone.now() + timedelta(minutes=1))
    enqueued = []
    monkeypatch.setattr(
        outbox, "delivery_enqueue", lambda *, delivery_id, eta=None: enqueued.append(delivery_id) or True
    )
    assert outbox.deliveries_enqueue_due() == 1
    assert enqueued == [delivery.id]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=1)
    )
    assert outbox.deliveries_enqueue_due() == 0


def test_an_enqueue_failure_never_breaks_the_change(
    monkeypatch, django_capture_on_commit_callbacks, hook, owner, org, topic, caplog
):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(webhook_deliver, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        result = timer_start(user=owner, organization=org, topic=topic)
    assert publisher_idle()  # with a broker, publishing happens on the publisher thread
    assert result.started.pk
    assert WebhookDelivery.objects.get().status == "pending"
    assert "sweeper will retry" in caplog.text


def test_pruning_keeps_recent_and_pending_deliveries(httpserver, hook, delivery, owner):
    from apps.timer.services import timer_stop

    httpserver.expect_request("/hook").respond_with_data("ok")
    deliveries.delivery_attempt(delivery_id=delivery.id)
    timer_stop(user=owner)  # a second, still pending, delivery
    later = timezone.now() + timedelta(days=31)
    assert deliveries.delivery_logs_prune(now=timezone.now()) == 0
    deliveries.delivery_logs_prune(now=later)
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"]
    assert WebhookAttempt.objects.count() == 0
    assert WebhookEvent.objects.count() == 1


def test_short_retries_are_enqueued_with_an_eta_long_ones_left_to_the_sweeper(
    httpserver, hook, delivery, django_capture_on_commit_callbacks
):
    httpserver.expect_oneshot_request("/hook").respond_with_data("", status=503)
    with django_capture_on_commit_callbacks() as short:
        deliveries.delivery_attempt(delivery_id=delivery.id)
    assert len(short) == 1

    _due(delivery)
    httpserver.expect_oneshot_request("/hook").respond_with_data(
        "", status=503, headers={"Retry-After": "3600"}
    )
    with django_capture_on_commit_callbacks() as long:
        deliveries.delivery_attempt(delivery_id=delivery.id)
    assert long == []
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at > timezone.now() + timedelta(minutes=59)


def test_an_unreadable_secret_is_logged_as_a_failed_attempt_not_a_stuck_delivery(httpserver, hook, delivery):
    endpoint, _ = hook
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_encrypted="not-a-fernet-token")
    attempt = deliveries.delivery_attempt(delivery_id=delivery.id)
    assert attempt.error.startswith("internal error") and httpserver.log == []
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.locked_until is None


def test_the_production_schedule_retries_for_about_three_days(settings):
    settings.WEBHOOK_RETRY_BASE_DELAY = timedelta(minutes=1)
    settings.WEBHOOK_RETRY_MAX_DELAY = timedelta(hours=12)
    for _ in range(20):  # jitter: the count varies a little, the span does not
        elapsed, attempts = timedelta(0), 1
        while elapsed + (delay := deliveries.retry_delay(attempt_number=attempts)) <= timedelta(days=3):
            elapsed += delay
            attempts += 1
        assert 13 <= attempts <= 17
        assert elapsed > timedelta(days=2)
