from django.conf import settings
from django.db import models

from apps.core.ids import PublicIdField


def plan_default() -> str:
    """New organizations' plan: ORGANIZATION_DEFAULT_PLAN, unlimited ("enterprise") unless a hosted
    offering sets it (plans are quotas for hosted offerings; a self-hosted install has none)."""
    return settings.ORGANIZATION_DEFAULT_PLAN


class Organization(models.Model):
    class Plan(models.TextChoices):
        FREE = "free", "Free"
        STANDARD = "standard", "Standard"
        PRO = "pro", "Pro"
        ENTERPRISE = "enterprise", "Enterprise"

    id = PublicIdField(prefix="org")
    name = models.CharField(max_length=200)
    guidance = models.TextField(
        blank=True, help_text="Served to agents as organizationGuidance: which topic to use for what."
    )
    plan = models.CharField(max_length=20, choices=Plan.choices, default=plan_default)
    allow_overlaps = models.BooleanField(
        default=True,
        help_text="Accept finished entries of one user that overlap in time (agents working in parallel). "
        "Turn off to bill by human hours: overlapping entries are then refused.",
    )
    max_timer_hours = models.PositiveSmallIntegerField(
        default=12, help_text="A timer running longer than this is stopped at this limit."
    )
    # Idle stop: a running timer whose last heartbeat (or start) is older than this many minutes is stopped
    # at that heartbeat. Two settings because the two kinds of tracker differ: a session (a Claude Code
    # window) that falls silent has crashed or closed; a session-less timer may be a person's, who sends
    # no heartbeats at all. 0 turns idle stop off for that kind.
    idle_stop_minutes = models.PositiveSmallIntegerField(
        default=15,
        help_text="Stop a session's timer after this many minutes without a heartbeat (0: never).",
    )
    idle_stop_sessionless_minutes = models.PositiveSmallIntegerField(
        default=0,
        help_text="The same for timers started without a session (0, the default: never).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    id = PublicIdField(prefix="mem")
    # One organization per user in this release: a one-to-one keeps "which organization?" unambiguous.
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization", "user"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"
