"""Webhook endpoints, the outbox of events, and each endpoint's deliveries and their attempts.

The outbox is ``WebhookEvent`` + ``WebhookDelivery``: services write them in the same transaction as the
change they report, so a rolled-back change leaves no event and a committed one is never lost, whatever
happens to Redis or the workers afterwards (see apps.webhooks.outbox and apps.webhooks.deliveries).
"""

from django.conf import settings
from django.db import models

from apps.core.ids import PublicIdField


class WebhookEndpoint(models.Model):
    id = PublicIdField(prefix="whk")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="Event names this endpoint receives.")
    description = models.CharField(max_length=200, blank=True)
    # The HMAC key must be recoverable to sign, so it cannot be a digest: it is encrypted with a key
    # derived from SECRET_KEY (apps.webhooks.signing) and shown in clear only once, when created.
    secret_encrypted = models.TextField(editable=False)
    active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organization", "created_at"]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One event, as it will be sent: ``body`` is the exact JSON signed and posted on every attempt."""

    id = PublicIdField(prefix="evt")
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="webhook_events"
    )
    name = models.CharField(max_length=50)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} {self.id}"


class WebhookDelivery(models.Model):
    """An event on its way to one endpoint: pending until delivered or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    id = PublicIdField(prefix="dlv")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retry_until = models.DateTimeField(help_text="No automatic retry is scheduled after this time.")
    # A worker claims a delivery by setting this in one conditional UPDATE, so duplicate task messages
    # (sweeper plus retry, or a redelivered message after a worker crash) never post the same attempt twice.
    locked_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} -> {self.endpoint}"


class WebhookAttempt(models.Model):
    """One HTTP request for a delivery, kept for the delivery log (pruned after WEBHOOK_LOG_RETENTION)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    response_body = models.TextField(blank=True, help_text="Truncated.")
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        indexes = [models.Index(fields=["started_at"], name="webhook_attempt_started")]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"
