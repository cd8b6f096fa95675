from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from apps.core.ids import PublicIdField
from apps.organizations.models import Organization

SESSION_MAX_LENGTH = 128
ONE_RUNNING_CONSTRAINT = "clocked_time_one_running_per_tracker"


class ClockedTimeQuerySet(models.QuerySet["ClockedTime"]):
    def running(self) -> ClockedTimeQuerySet:
        """Entries whose timer is still running (no end yet)."""
        return self.filter(end_time__isnull=True)


class ClockedTime(models.Model):
    """One span of work by a user on a topic. ``end_time`` is null while the timer runs.

    The database holds the invariants itself (see Meta.constraints); services turn its refusals into
    API errors. Write entries only through apps.timer.services and apps.clocked_times.services.
    """

    class Type(models.TextChoices):
        TIMER = "timer", "Timer"
        MANUAL = "manual", "Manual"

    id = PublicIdField(prefix="ct")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="clocked_times")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clocked_times")
    topic = models.ForeignKey("topics.Topic", on_delete=models.PROTECT, related_name="clocked_times")
    start_time = models.DateTimeField()
    end_time = models.DateTimeField(null=True, blank=True)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TIMER)
    notes = models.TextField(blank=True)
    tags = models.ManyToManyField("tags.Tag", blank=True, related_name="clocked_times")
    agent = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="clocked_times",
        help_text="The agent that recorded this entry, if an agent did.",
    )
    # Provenance (README "Parallel sessions, heartbeats and provenance"): "" when the client did not say.
    # ``session`` is also part of the running timer's tracker: (user, agent, session).
    session = models.CharField(
        max_length=SESSION_MAX_LENGTH,
        blank=True,
        default="",
        help_text="The agent's session id (e.g. Claude Code's session_id); one running timer per session.",
    )
    source_client = models.CharField(max_length=100, blank=True, default="", help_text='e.g. "claude-code".')
    source_repository = models.CharField(max_length=500, blank=True, default="")
    source_branch = models.CharField(max_length=255, blank=True, default="")
    source_directory = models.CharField(max_length=1000, blank=True, default="")
    source_host = models.CharField(max_length=255, blank=True, default="")
    last_heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="The last 'still working' from the tracker (idle stop reads it)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClockedTimeQuerySet.as_manager()

    class Meta:
        ordering = ["-start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__isnull=True) | Q(end_time__gt=F("start_time")),
                name="clocked_time_end_after_start",
            ),
            # At most one running timer per tracker (user, agent, session), whatever code path writes.
            # NULL is distinct from NULL in a unique index: "no agent" becomes 0 (agent ids start at 1) so
            # a person's own timers collide with each other too. ``session`` is never NULL ("" = none).
            models.UniqueConstraint(
                F("user"),
                Coalesce(F("agent"), Value(0)),
                F("session"),
                condition=Q(end_time__isnull=True),
                name=ONE_RUNNING_CONSTRAINT,
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-start_time"], name="clocked_time_user_start"),
            models.Index(fields=["organization", "-start_time"], name="clocked_time_org_start"),
            models.Index(fields=["topic", "-start_time"], name="clocked_time_topic_start"),
        ]

    def __str__(self) -> str:
        return f"{self.id} {self.topic_id} {self.start_time:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.end_time is None

    @property
    def duration_minutes(self) -> int | None:
        if self.end_time is None:
            return None
        return round((self.end_time - self.start_time).total_seconds() / 60)
