"""The topic and category admin writes through apps.topics.services: events, refusals as form errors or
messages (never a 500), and an organization admin confined to their own organization."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.admin.models import LogEntry
from django.test import Client

from apps.core.admin import UniqueNameForm
from apps.organizations.models import Organization
from apps.timer.services import timer_start
from apps.topics.models import Category, Topic
from tests.admin.conftest import events, page_messages, run_action, staff_client

pytestmark = pytest.mark.usefixtures("hook")

TOPICS = "/admin/topics/topic/"
CATEGORIES = "/admin/topics/category/"


def test_adding_a_topic_sets_the_admins_organization_and_emits_project_created(
    org_admin: Client, org: Organization, topic: Topic
) -> None:
    response = org_admin.post(f"{TOPICS}add/", {"name": "  Project   Beta ", "category": topic.category_id})

    assert response.status_code == 302
    created = Topic.objects.get(name="Project Beta")  # cleaned by the service
    assert created.organization == org
    assert events(org) == ["project.created"]


@pytest.mark.parametrize("as_superuser", [False, True])
def test_a_taken_name_in_another_case_is_a_form_error(
    as_superuser: bool, org_admin: Client, admin_client: Client, org: Organization, topic: Topic
) -> None:
    client = admin_client if as_superuser else org_admin
    data = {"name": "project ALPHA", "category": topic.category_id}
    if as_superuser:
        data["organization"] = org.pk

    response = client.post(f"{TOPICS}add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [
        "A topic named 'project ALPHA' already exists."
    ]
    assert Topic.objects.filter(organization=org).count() == 1
    assert events(org) == []


def test_renaming_onto_a_taken_name_is_a_form_error(org_admin: Client, topic: Topic, research: Topic) -> None:
    response = org_admin.post(
        f"{TOPICS}{research.pk}/change/", {"name": "PROJECT alpha", "category": research.category_id}
    )

    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    research.refresh_from_db()
    assert research.name == "Research"


def test_a_superuser_cannot_file_a_topic_under_another_organizations_category(
    admin_client: Client, org: Organization, outsider_topic: Topic
) -> None:
    response = admin_client.post(
        f"{TOPICS}add/", {"organization": org.pk, "name": "Mixed", "category": outsider_topic.category_id}
    )

    assert response.status_code == 200
    assert "category" in response.context["adminform"].form.errors
    assert not Topic.objects.filter(name="Mixed").exists()


def test_changing_a_topic_emits_project_updated(org_admin: Client, org: Organization, topic: Topic) -> None:
    response = org_admin.post(
        f"{TOPICS}{topic.pk}/change/", {"name": "Project Alpha 2", "category": topic.category_id}
    )

    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Project Alpha 2"
    assert events(org) == ["project.updated"]


def test_archive_and_unarchive_actions_emit_project_updated(
    org_admin: Client, org: Organization, topic: Topic
) -> None:
    run_action(org_admin, TOPICS, "archive", [topic.pk])
    topic.refresh_from_db()
    assert topic.archived
    assert events(org) == ["project.updated"]

    run_action(org_admin, TOPICS, "unarchive", [topic.pk])
    topic.refresh_from_db()
    assert not topic.archived
    assert events(org) == ["project.updated", "project.updated"]


def test_deleting_an_unused_topic_emits_project_deleted(
    org_admin: Client, org: Organization, topic: Topic
) -> None:
    response = org_admin.post(f"{TOPICS}{topic.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Topic.objects.filter(pk=topic.pk).exists()
    assert events(org) == ["project.deleted"]


def test_deleting_a_topic_with_time_logged_is_refused_with_a_message(
    org_admin: Client, owner: Any, org: Organization, topic: Topic
) -> None:
    timer_start(user=owner, organization=org, topic=topic)
    before = events(org)

    response = org_admin.post(f"{TOPICS}{topic.pk}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert "archive it instead of deleting it" in response.content.decode()
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert events(org) == before

    response = run_action(org_admin, TOPICS, "delete_selected", [topic.pk])
    assert response.status_code == 200
    assert Topic.objects.filter(pk=topic.pk).exists()
    assert events(org) == before


def test_bulk_deleting_topics_goes_through_the_service(
    org_admin: Client, org: Organization, topic: Topic, research: Topic
) -> None:
    data = {"action": "delete_selected", "_selected_action": [topic.pk, research.pk], "post": "yes"}
    org_admin.post(TOPICS, data)

    assert not Topic.objects.filter(organization=org).exists()
    assert events(org) == ["project.deleted", "project.deleted"]


def test_renaming_a_category_emits_project_updated_for_its_topics(
    org_admin: Client, org: Organization, topic: Topic
) -> None:
    response = org_admin.post(f"{CATEGORIES}{topic.category_id}/change/", {"name": "Clients"})

    assert response.status_code == 302
    assert Category.objects.get(pk=topic.category_id).name == "Clients"
    assert events(org) == ["project.updated"]


def test_a_taken_category_name_is_a_form_error(org_admin: Client, org: Organization, topic: Topic) -> None:
    response = org_admin.post(f"{CATEGORIES}add/", {"name": "client work"})

    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert Category.objects.filter(organization=org).count() == 1


def test_deleting_a_category_with_topics_is_refused(org_admin: Client, topic: Topic) -> None:
    response = org_admin.post(f"{CATEGORIES}{topic.category_id}/delete/", {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert Category.objects.filter(pk=topic.category_id).exists()


def test_deleting_an_empty_category(org_admin: Client, org: Organization) -> None:
    category = Category.objects.create(organization=org, name="Spare")

    response = org_admin.post(f"{CATEGORIES}{category.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Category.objects.filter(pk=category.pk).exists()


def test_an_org_admin_cannot_touch_another_organizations_topics(
    org_admin: Client, other_org: Organization, outsider_topic: Topic
) -> None:
    change = f"{TOPICS}{outsider_topic.pk}/change/"
    assert org_admin.get(change).status_code == 302  # the admin's "doesn't exist" redirect
    org_admin.post(change, {"name": "Hijacked", "category": outsider_topic.category_id})
    org_admin.post(f"{TOPICS}{outsider_topic.pk}/delete/", {"post": "yes"})
    run_action(org_admin, TOPICS, "archive", [outsider_topic.pk])
    org_admin.post(f"{CATEGORIES}{outsider_topic.category_id}/change/", {"name": "Hijacked"})

    outsider_topic.refresh_from_db()
    assert (outsider_topic.name, outsider_topic.archived) == ("Globex Secret Project", False)
    assert outsider_topic.category.name == "Client Work"
    assert events(other_org) == []


def test_the_organization_of_a_topic_cannot_be_changed(
    admin_client: Client, org: Organization, other_org: Organization, topic: Topic
) -> None:
    admin_client.post(
        f"{TOPICS}{topic.pk}/change/",
        {"organization": other_org.pk, "name": topic.name, "category": topic.category_id},
    )

    topic.refresh_from_db()
    assert topic.organization == org


def test_a_refusal_the_form_did_not_foresee_is_a_message_and_writes_nothing(
    org_admin: Client, org: Organization, topic: Topic, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if another admin took the name between the form's check and the save: the service refuses.
    monkeypatch.setattr(UniqueNameForm, "clean", forms.ModelForm.clean)

    response = org_admin.post(
        f"{TOPICS}add/", {"name": "PROJECT ALPHA", "category": topic.category_id}, follow=True
    )

    assert response.status_code == 200
    assert "A topic named 'PROJECT ALPHA' already exists." in page_messages(response)
    assert Topic.objects.filter(organization=org).count() == 1
    assert not LogEntry.objects.exists()
    assert events(org) == []


def test_a_staff_member_who_administers_no_organization_cannot_add(teammate: Any) -> None:
    client = staff_client(teammate)  # role member: staff, but not an administrator of Acme

    assert client.get(f"{TOPICS}add/").status_code == 403
    assert client.get(f"{CATEGORIES}add/").status_code == 403
    assert client.get("/admin/tags/tag/add/").status_code == 403
