"""Membership writes. Each emits its ``user.*`` webhook event in the same transaction.

``user.invited`` is in the subscription catalogue (ClockEye's names) but nothing emits it yet: Teeckin has
no invitation flow, an administrator adds a member directly, which is ``user.joined``. An invitation
service, when it exists, adds one ``user_event_record(name="user.invited", ...)`` line.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from apps.core.errors import Conflict, ValidationFailed
from apps.organizations.events import user_event_record
from apps.organizations.models import Membership, Organization

# A day: a session silent for longer has surely ended.
IDLE_STOP_MAX_MINUTES = 1440


@transaction.atomic
def membership_add(
    *, organization: Organization, user: AbstractBaseUser, role: str = Membership.Role.MEMBER
) -> Membership:
    """Make ``user`` a member of ``organization`` (a user belongs to at most one organization)."""
    try:
        # The one-to-one on user decides, also between two racing adds.
        with transaction.atomic():
            membership = Membership.objects.create(organization=organization, user=user, role=role)
    except IntegrityError as exc:
        raise Conflict("This user already belongs to an organization.", code="ALREADY_A_MEMBER") from exc
    user_event_record(name="user.joined", membership=membership)
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member from their organization; their past time entries stay with the organization."""
    user_event_record(name="user.removed", membership=membership)
    membership.delete()


def membership_role_set(*, membership: Membership, role: str) -> Membership:
    """Change a member's role. The webhook catalogue has no event for a role change, so none is recorded."""
    if role not in Membership.Role.values:
        raise ValidationFailed(
            f"Unknown role '{role}'.", details={"role": [f"One of {Membership.Role.values}."]}
        )
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


def organization_update(
    *,
    organization: Organization,
    guidance: str | None = None,
    allow_overlaps: bool | None = None,
    max_timer_hours: int | None = None,
    idle_stop_minutes: int | None = None,
    idle_stop_sessionless_minutes: int | None = None,
) -> Organization:
    """Change an organization's guidance text, overlap policy, forgotten-timer limit or idle-stop limits
    (0 turns each stop off); only the arguments given change. The plan is the operator's, set in the
    Django admin."""
    fields = []
    for name, minutes in (
        ("idle_stop_minutes", idle_stop_minutes),
        ("idle_stop_sessionless_minutes", idle_stop_sessionless_minutes),
    ):
        if minutes is None:
            continue
        if not 0 <= minutes <= IDLE_STOP_MAX_MINUTES:
            raise ValidationFailed(
                f"An idle-stop limit is 0 (off) to {IDLE_STOP_MAX_MINUTES} minutes.",
                details={name: [f"0 to {IDLE_STOP_MAX_MINUTES} minutes."]},
            )
        setattr(organization, name, minutes)
        fields.append(name)
    if guidance is not None:
        organization.guidance = guidance
        fields.append("guidance")
    if allow_overlaps is not None:
        organization.allow_overlaps = allow_overlaps
        fields.append("allow_overlaps")
    if max_timer_hours is not None:
        if not 0 <= max_timer_hours <= 168:
            raise ValidationFailed(
                "The forgotten-timer limit is 0 (off) to 168 hours.",
                details={"max_timer_hours": ["0 to 168 hours."]},
            )
        organization.max_timer_hours = max_timer_hours
        fields.append("max_timer_hours")
    if fields:
        organization.save(update_fields=fields)
    return organization
