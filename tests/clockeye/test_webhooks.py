"""ClockEye's webhook catalogue: every event subscribes; two of them are never emitted."""

from __future__ import annotations

import pytest

from apps.webhooks.models import WebhookEndpoint
from apps.webhooks.outbox import event_record
from apps.webhooks.subscriptions import EVENT_NAMES
from tests.webhooks.conftest import hooks_client

CLOCKEYE_CATALOGUE = [
    "time_entry.created",
    "time_entry.updated",
    "time_entry.deleted",
    "time_entry.started",
    "time_entry.stopped",
    "screenshot.captured",
    "project.created",
    "project.updated",
    "project.deleted",
    "user.invited",
    "user.joined",
    "user.removed",
]


@pytest.mark.parametrize("credential", ["key", "token"])
def test_a_clockeye_integration_subscribes_to_the_whole_catalogue(owner, owner_key_api, credential):
    client = owner_key_api if credential == "key" else hooks_client(owner, "ClockEye integration")
    url = "http://127.0.0.1/webhooks/clockeye"  # loopback over http is allowed in tests only
    response = client.post("/api/webhooks", {"url": url, "events": CLOCKEYE_CATALOGUE}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["events"] == CLOCKEYE_CATALOGUE
    assert WebhookEndpoint.objects.get().events == CLOCKEYE_CATALOGUE


def test_screenshot_captured_is_accepted_but_never_emitted(org):
    assert "screenshot.captured" not in EVENT_NAMES and "user.invited" in EVENT_NAMES
    with pytest.raises(ValueError):
        event_record(organization=org, name="screenshot.captured", data={})
