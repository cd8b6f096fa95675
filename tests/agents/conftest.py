"""Fixtures shared by the agents tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client


@pytest.fixture
def org_admin(owner: Any) -> Client:
    """The Acme owner as an organization admin in the Django admin (staff with the agents permissions)."""
    owner.is_staff = True
    owner.save()
    owner.user_permissions.set(Permission.objects.filter(content_type__app_label="agents"))
    client = Client()
    client.force_login(owner)
    return client
