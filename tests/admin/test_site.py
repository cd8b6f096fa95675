"""The admin's own chrome: its links lead somewhere, and its menus show only what there is to manage."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from apps.agents.models import Agent
from apps.organizations.models import Membership, Organization
from tests.conftest import make_user
from tests.fixtures.auth import AgentCredentials


@pytest.fixture
def superuser_client(org: Organization) -> Client:
    user = make_user("root", org, role=Membership.Role.OWNER)
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def _index(client: Client) -> str:
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_view_site_opens_the_peoples_pages(superuser_client: Client) -> None:
    links = re.findall(r'<a href="([^"]*)">View site</a>', _index(superuser_client))
    assert links == [reverse("web:dashboard")]
    assert superuser_client.get(links[0]).status_code == 200


def test_view_on_site_of_an_agent_opens_its_page(
    superuser_client: Client, owner_agent: AgentCredentials
) -> None:
    agent = owner_agent.agent
    change = superuser_client.get(reverse("admin:agents_agent_change", args=[agent.pk]))
    assert change.status_code == 200
    # The admin's "View on site" goes through its shortcut view, which calls get_absolute_url.
    content_type = ContentType.objects.get_for_model(Agent)
    shortcut = reverse("admin:view_on_site", args=[content_type.pk, agent.pk])
    assert shortcut in change.content.decode()
    response = superuser_client.get(shortcut)
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("web:agent", kwargs={"client_id": agent.client_id}))


def test_only_the_oauth_models_we_manage_are_in_the_menu(superuser_client: Client) -> None:
    index = _index(superuser_client)
    for hidden in ("Grants", "Refresh tokens", "Id tokens", "ID tokens"):
        assert f">{hidden}<" not in index
    assert ">Access tokens<" in index
    assert ">Agents<" in index


def test_app_headings_read_as_words(superuser_client: Client) -> None:
    captions = re.findall(r"<caption>(.*?)</caption>", _index(superuser_client), flags=re.S)
    headings = [re.sub(r"<[^>]+>", "", caption).strip() for caption in captions]
    assert "Time entries" in headings
    assert all("_" not in heading for heading in headings), headings
