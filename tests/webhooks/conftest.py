"""Webhook test helpers: an endpoint subscribed to everything, pointing at a local pytest-httpserver."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from apps.organizations.models import Organization
from apps.webhooks.models import WebhookEndpoint, WebhookEvent
from apps.webhooks.subscriptions import EVENT_NAMES, endpoint_create
from tests.fixtures.auth import api_client_for, make_agent

HOOK_SCOPES = ("agent", "webhooks")


def hooks_client(user: Any, name: str) -> Any:
    """An API client for an integration agent of ``user`` allowed "webhooks", holding a token for it."""
    return api_client_for(make_agent(user, name, scopes=HOOK_SCOPES), scope="webhooks")


@pytest.fixture
def owner_hooks_api(owner: Any) -> Any:
    return hooks_client(owner, "Owner's integration")


@pytest.fixture
def hook(org: Organization, httpserver: HTTPServer) -> tuple[WebhookEndpoint, str]:
    """An active endpoint of ``org`` for every event, at httpserver's /hook; returns it and its secret."""
    return endpoint_create(organization=org, url=httpserver.url_for("/hook"), events=EVENT_NAMES)


def event_names(organization: Organization) -> list[str]:
    return list(
        WebhookEvent.objects.filter(organization=organization)
        .order_by("created_at")
        .values_list("name", flat=True)
    )


def event_payload(event: WebhookEvent) -> dict[str, Any]:
    return json.loads(event.body)


def wait_until(condition: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"condition not met within {timeout}s")


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unused_port_url() -> str:
    return f"http://127.0.0.1:{closed_port()}/hook"


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    # An IP rather than "localhost", so the URL has one address whatever /etc/hosts says about ::1.
    return ("127.0.0.1", 0)
