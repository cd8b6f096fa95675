"""Signed-in browsers (Django's test client with CSRF checks on) for the cast, and entries to look at."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.organizations.models import Membership
from apps.topics.models import Topic
from tests.conftest import make_entry, make_user


def signed_in(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_post(client: Client, url: str, data: dict[str, Any] | None = None, **extra: Any) -> Any:
    """POST as a browser does: with the CSRF token the page's cookie holds."""
    if "csrftoken" not in client.cookies:
        client.get("/settings/profile/")
    token = client.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token}, **extra)


def add_entry(user: Any, topic: Topic, *, hours_ago: float, minutes: int = 30, **kwargs: Any) -> ClockedTime:
    return make_entry(
        user, topic, start=timezone.now() - timedelta(hours=hours_ago), minutes=minutes, **kwargs
    )


@pytest.fixture
def admin_user(org: Any) -> Any:
    return make_user("ada", org, Membership.Role.ADMIN)


@pytest.fixture
def owner_web(owner: Any) -> Client:
    return signed_in(owner)


@pytest.fixture
def teammate_web(teammate: Any) -> Client:
    return signed_in(teammate)


@pytest.fixture
def admin_web(admin_user: Any) -> Client:
    return signed_in(admin_user)


@pytest.fixture
def outsider_web(outsider: Any) -> Client:
    return signed_in(outsider)


@pytest.fixture(autouse=True)
def _at_midweek(midweek: Any) -> None:
    """The pages show today, this week and the last 14 days: run every page test at a Wednesday noon."""
