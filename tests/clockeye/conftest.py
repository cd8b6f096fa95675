"""Clients for the ClockEye endpoints: bearer tokens come from tests/fixtures/auth.py; here, API keys."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.agents.services import api_key_create


def api_key_client(user: Any) -> APIClient:
    """An APIClient sending a fresh personal API key of ``user`` as ClockEye's ``X-API-Key``, with CSRF
    checks on (these endpoints must never need a CSRF token)."""
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_X_API_KEY=api_key_create(user=user, name="ClockEye integration").plaintext)
    return client


@pytest.fixture
def owner_key_api(owner: Any) -> APIClient:
    return api_key_client(owner)


@pytest.fixture
def teammate_key_api(teammate: Any) -> APIClient:
    return api_key_client(teammate)
