"""Admin test cast: Acme's organization admin (role admin, staff with the models' permissions) and a
webhook endpoint subscribed to everything, so the services' events leave WebhookEvent rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from apps.organizations.models import Membership, Organization
from apps.webhooks.models import WebhookEndpoint, WebhookEvent
from apps.webhooks.subscriptions import EVENT_NAMES, endpoint_create
from tests.conftest import make_user


def staff_client(user: Any) -> Client:
    """``user`` logged into the admin as staff with every permission of the apps these tests cover."""
    user.is_staff = True
    user.save()
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["organizations", "topics", "tags", "clocked_times"]
        )
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def org_admin(org: Organization) -> Client:
    return staff_client(make_user("ada", org, role=Membership.Role.ADMIN))


@pytest.fixture
def hook(org: Organization) -> WebhookEndpoint:
    # Nothing is delivered in these tests (no worker runs); the endpoint only makes events get recorded.
    endpoint, _secret = endpoint_create(organization=org, url="http://127.0.0.1:9/hook", events=EVENT_NAMES)
    return endpoint


def events(organization: Organization) -> list[str]:
    return list(
        WebhookEvent.objects.filter(organization=organization)
        .order_by("created_at")
        .values_list("name", flat=True)
    )


def run_action(client: Client, url: str, action: str, pks: list[Any]) -> Any:
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"}
    return client.post(url, data, follow=True)


def page_messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]
