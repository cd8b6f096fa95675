"""Webhooks through the SDK: subscribe, receive a real delivery from the server, verify it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from teeckin import PermissionDeniedError, WebhookVerificationError, verify_webhook

from apps.webhooks.models import WebhookDelivery
from apps.webhooks.publisher import publisher_idle
from tests.fixtures.webhooks import deliveries_in_the_server


@pytest.fixture
def hooks_client(make_client, credentials):
    return make_client(
        client_id=credentials.client_id, client_secret=credentials.client_secret, scope="agent webhooks"
    )


@pytest.fixture
def deliveries_in_the_request() -> Iterator[None]:
    """Webhook deliveries run in the server's process (with a broker: on its publisher thread just after
    the answer, which ``publisher_idle`` waits for); there is no Celery worker in this test."""
    with deliveries_in_the_server():
        yield


def test_a_real_delivery_verifies_and_a_tampered_one_does_not(
    hooks_client, make_client, httpserver, topics, deliveries_in_the_request
):
    created = hooks_client.webhooks.create(
        url=httpserver.url_for("/hook"), events=["time_entry.started"], description="SDK test"
    )
    assert created.secret.startswith("whsec_") and created.events == ["time_entry.started"]
    assert [hook.id for hook in hooks_client.webhooks.list()] == [created.id]

    httpserver.expect_oneshot_request("/hook", method="POST").respond_with_data("ok")
    started = hooks_client.timer.start(topic="Research")
    assert publisher_idle()  # the delivery may still be running when the answer arrives
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED
    request, _ = httpserver.log[0]
    body, headers = request.get_data(), dict(request.headers)

    event = hooks_client.webhooks.verify(body, headers, created.secret)
    assert event["event"] == "time_entry.started" and event["data"]["id"] == started.clockedTimeId
    # A receiver's client that holds the secret verifies with (body, headers) alone.
    receiver = make_client(api_key="tak_unused", webhook_secret=created.secret)
    assert receiver.webhooks.verify(body, headers) == event
    # Without the Standard Webhooks headers the plain sha256 signatures are checked, under either name.
    for name in ("X-Teeckin-Signature", "X-Webhook-Signature"):
        plain = {name: headers[name]}
        assert verify_webhook(body, plain, created.secret)["id"] == event["id"]

    with pytest.raises(WebhookVerificationError):
        verify_webhook(body.replace(b"Research", b"Vacation"), headers, created.secret)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, {"X-Teeckin-Signature": headers["X-Teeckin-Signature"]}, "whsec_" + "A" * 44)
    with pytest.raises(WebhookVerificationError, match="too far"):
        verify_webhook(body, headers, created.secret, now=int(headers["Webhook-Timestamp"]) + 3600)
    with pytest.raises(WebhookVerificationError, match="No signature"):
        verify_webhook(body, {}, created.secret)

    hooks_client.webhooks.delete(created.id)
    assert hooks_client.webhooks.list() == []


def test_an_ordinary_agent_token_cannot_manage_webhooks(client):
    with pytest.raises(PermissionDeniedError) as refused:
        client.webhooks.list()
    assert refused.value.code == "INSUFFICIENT_SCOPE"
    assert refused.value.details == {"requiredScope": "webhooks", "tokenScopes": ["agent"]}
