"""The Django admin: endpoints created through the services, the attempt log and "redeliver"."""

import pytest
from django.test import override_settings
from django.urls import reverse

from apps.timer.services import timer_start
from apps.webhooks import deliveries, signing
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint


@pytest.fixture
def failed_delivery(httpserver, hook, owner, org, topic) -> WebhookDelivery:
    timer_start(user=owner, organization=org, topic=topic)
    delivery = WebhookDelivery.objects.get()
    httpserver.expect_oneshot_request("/hook").respond_with_data("receiver exploded", status=500)
    deliveries.delivery_attempt(delivery_id=delivery.id)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    return delivery


def test_adding_an_endpoint_shows_its_secret_once(admin_client, org, httpserver):
    url = httpserver.url_for("/from-admin")
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {
            "organization": org.pk,
            "url": url,
            "events": ["time_entry.started"],
            "description": "",
            "active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(url=url)
    secret = signing.secret_decrypt(endpoint.secret_encrypted)
    assert secret in response.content.decode()
    assert (
        secret
        not in admin_client.get(
            reverse("admin:webhooks_webhookendpoint_change", args=[endpoint.pk])
        ).content.decode()
    )


@override_settings(WEBHOOKS_ALLOW_LOOPBACK_HTTP=False)
def test_the_admin_refuses_unsafe_urls(admin_client, org):
    response = admin_client.post(
        reverse("admin:webhooks_webhookendpoint_add"),
        {"organization": org.pk, "url": "https://169.254.169.254/", "events": ["time_entry.started"]},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "non-public address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_delivery_page_shows_each_attempt(admin_client, failed_delivery):
    page = admin_client.get(reverse("admin:webhooks_webhookdelivery_change", args=[failed_delivery.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "receiver exploded" in html and "500" in html


def test_redeliver_sends_it_again_with_the_same_webhook_id(admin_client, httpserver, failed_delivery):
    httpserver.expect_oneshot_request("/hook").respond_with_data("ok")
    response = admin_client.post(
        reverse("admin:webhooks_webhookdelivery_changelist"),
        {"action": "redeliver", "_selected_action": [failed_delivery.pk]},
        follow=True,
    )
    assert response.status_code == 200
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == "pending" and failed_delivery.next_attempt_at is not None
    deliveries.delivery_attempt(delivery_id=failed_delivery.pk)  # what the enqueued task does
    failed_delivery.refresh_from_db()
    assert failed_delivery.status == "delivered" and failed_delivery.attempt_count == 2
    ids = {request.headers["webhook-id"] for request, _ in httpserver.log}
    assert ids == {failed_delivery.event_id}


def test_an_org_admin_sees_only_their_organizations_deliveries(client, failed_delivery, outsider):
    outsider.is_staff = True
    outsider.save()
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(*Permission.objects.filter(content_type__app_label="webhooks"))
    client.force_login(outsider)
    changelist = client.get(reverse("admin:webhooks_webhookdelivery_changelist")).content.decode()
    assert failed_delivery.pk not in changelist
    page = client.get(reverse("admin:webhooks_webhookdelivery_change", args=[failed_delivery.pk]))
    assert page.status_code == 302  # "doesn't exist" redirect to the admin index
