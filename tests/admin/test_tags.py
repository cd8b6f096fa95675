"""The tag admin writes through apps.tags.services: cleaned names, taken names as form errors."""

from __future__ import annotations

from django.test import Client

from apps.organizations.models import Organization
from apps.tags.models import Tag

TAGS = "/admin/tags/tag/"


def test_adding_a_tag_cleans_its_name_into_the_admins_organization(
    org_admin: Client, org: Organization
) -> None:
    response = org_admin.post(f"{TAGS}add/", {"name": "  bug   fix "})

    assert response.status_code == 302
    assert Tag.objects.get(name="bug fix").organization == org


def test_a_taken_tag_name_in_another_case_is_a_form_error(
    org_admin: Client, org: Organization, tags: list[Tag]
) -> None:
    response = org_admin.post(f"{TAGS}add/", {"name": tags[0].name.upper()})

    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors
    assert Tag.objects.filter(organization=org).count() == len(tags)


def test_renaming_and_deleting_a_tag(org_admin: Client, tags: list[Tag]) -> None:
    tag = tags[0]
    assert org_admin.post(f"{TAGS}{tag.pk}/change/", {"name": "renamed"}).status_code == 302
    tag.refresh_from_db()
    assert tag.name == "renamed"

    assert org_admin.post(f"{TAGS}{tag.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()


def test_an_org_admin_cannot_touch_another_organizations_tags(
    org_admin: Client, other_org: Organization
) -> None:
    tag = Tag.objects.create(organization=other_org, name="secret")

    assert org_admin.get(f"{TAGS}{tag.pk}/change/").status_code == 302  # "doesn't exist"
    org_admin.post(f"{TAGS}{tag.pk}/change/", {"name": "hijacked"})
    org_admin.post(f"{TAGS}{tag.pk}/delete/", {"post": "yes"})

    tag.refresh_from_db()
    assert tag.name == "secret"
