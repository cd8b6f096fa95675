"""Adding and removing members in the admin (the way people join an organization) goes through
membership_add / membership_remove, so user.joined and user.removed reach webhook subscribers."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from apps.organizations.models import Membership, Organization
from tests.admin.conftest import events, run_action
from tests.conftest import make_user

pytestmark = pytest.mark.usefixtures("hook")

MEMBERSHIPS = "/admin/organizations/membership/"


@pytest.fixture
def newcomer() -> Any:
    return make_user("newcomer", None)


def organization_page(org: Organization, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The POST of an organization's change page as an organization admin sees it, with membership rows."""
    data: dict[str, Any] = {
        "name": org.name,
        "guidance": org.guidance,
        "max_timer_hours": org.max_timer_hours,
        "idle_stop_minutes": org.idle_stop_minutes,
        "idle_stop_sessionless_minutes": org.idle_stop_sessionless_minutes,
        "memberships-TOTAL_FORMS": len(rows),
        "memberships-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    if org.allow_overlaps:
        data["allow_overlaps"] = "on"
    for index, row in enumerate(rows):
        data.update({f"memberships-{index}-{key}": value for key, value in row.items()})
        data[f"memberships-{index}-organization"] = org.pk
    return data


def existing_rows(org: Organization) -> list[dict[str, Any]]:
    return [
        {"id": m.pk, "user": m.user_id, "role": m.role}
        for m in Membership.objects.filter(organization=org).order_by("user")
    ]


def test_adding_a_member_emits_user_joined(org_admin: Client, org: Organization, newcomer: Any) -> None:
    response = org_admin.post(f"{MEMBERSHIPS}add/", {"user": newcomer.pk, "role": "member"})

    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).organization == org
    assert events(org) == ["user.joined"]


def test_a_superuser_adds_a_member_to_the_organization_chosen(
    admin_client: Client, org: Organization, newcomer: Any
) -> None:
    response = admin_client.post(
        f"{MEMBERSHIPS}add/", {"user": newcomer.pk, "organization": org.pk, "role": "admin"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).role == "admin"
    assert events(org) == ["user.joined"]


def test_adding_someone_who_already_belongs_to_an_organization_is_a_form_error(
    org_admin: Client, org: Organization, outsider: Any
) -> None:
    response = org_admin.post(f"{MEMBERSHIPS}add/", {"user": outsider.pk, "role": "member"})

    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert outsider.membership.organization != org
    assert events(org) == []


def test_removing_a_member_emits_user_removed(org_admin: Client, org: Organization, teammate: Any) -> None:
    response = org_admin.post(f"{MEMBERSHIPS}{teammate.membership.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Membership.objects.filter(user=teammate).exists()
    assert get_user_model().objects.filter(pk=teammate.pk).exists()
    assert events(org) == ["user.removed"]


def test_bulk_removing_members_emits_user_removed_for_each(
    org_admin: Client, org: Organization, teammate: Any, newcomer: Any
) -> None:
    Membership.objects.create(user=newcomer, organization=org)
    pks = [teammate.membership.pk, newcomer.membership.pk]
    org_admin.post(MEMBERSHIPS, {"action": "delete_selected", "_selected_action": pks, "post": "yes"})

    assert not Membership.objects.filter(pk__in=pks).exists()
    assert events(org) == ["user.removed", "user.removed"]


def test_changing_a_role_emits_nothing_and_keeps_the_user(
    org_admin: Client, org: Organization, teammate: Any, newcomer: Any
) -> None:
    membership = teammate.membership
    response = org_admin.post(f"{MEMBERSHIPS}{membership.pk}/change/", {"role": "admin", "user": newcomer.pk})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.user_id) == ("admin", teammate.pk)
    assert events(org) == []


def test_the_organization_page_adds_and_removes_members_through_the_services(
    org_admin: Client, org: Organization, teammate: Any, newcomer: Any
) -> None:
    rows = existing_rows(org)
    for row in rows:
        if row["user"] == teammate.pk:
            row["DELETE"] = "on"
    rows.append({"user": newcomer.pk, "role": "member"})

    response = org_admin.post(
        f"/admin/organizations/organization/{org.pk}/change/", organization_page(org, rows)
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=newcomer).organization == org
    assert not Membership.objects.filter(user=teammate).exists()
    assert sorted(events(org)) == ["user.joined", "user.removed"]


def test_the_organization_page_changes_roles_without_moving_memberships(
    org_admin: Client, org: Organization, teammate: Any, newcomer: Any
) -> None:
    rows = existing_rows(org)
    for row in rows:
        if row["user"] == teammate.pk:
            row.update(role="admin", user=newcomer.pk)  # the user of an existing row is not editable

    response = org_admin.post(
        f"/admin/organizations/organization/{org.pk}/change/", organization_page(org, rows)
    )

    assert response.status_code == 302
    teammate.membership.refresh_from_db()
    assert teammate.membership.role == "admin"
    assert not Membership.objects.filter(user=newcomer).exists()
    assert events(org) == []


def test_the_organization_page_refuses_a_user_of_another_organization(
    org_admin: Client, org: Organization, outsider: Any
) -> None:
    rows = [*existing_rows(org), {"user": outsider.pk, "role": "member"}]

    response = org_admin.post(
        f"/admin/organizations/organization/{org.pk}/change/", organization_page(org, rows)
    )

    assert response.status_code == 200
    assert any(formset.errors for formset in response.context["inline_admin_formsets"][0].formset.forms)
    assert Membership.objects.get(user=outsider).organization != org
    assert events(org) == []


def test_an_org_admin_cannot_touch_another_organizations_members(
    org_admin: Client, other_org: Organization, outsider: Any
) -> None:
    membership = outsider.membership
    role = membership.role
    assert org_admin.get(f"{MEMBERSHIPS}{membership.pk}/change/").status_code == 302  # "doesn't exist"
    org_admin.post(f"{MEMBERSHIPS}{membership.pk}/change/", {"role": "member"})
    org_admin.post(f"{MEMBERSHIPS}{membership.pk}/delete/", {"post": "yes"})
    run_action(org_admin, MEMBERSHIPS, "delete_selected", [membership.pk])
    rows = [{"id": membership.pk, "user": outsider.pk, "role": "admin", "DELETE": "on"}]
    page = org_admin.post(
        f"/admin/organizations/organization/{other_org.pk}/change/", organization_page(other_org, rows)
    )

    assert page.status_code == 302  # the other organization "doesn't exist" either
    membership.refresh_from_db()  # still there
    assert membership.role == role
    assert events(other_org) == []
