from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from apps.core.admin import OrganizationScopedAdmin
from apps.core.errors import DomainError
from apps.webhooks import deliveries, subscriptions
from apps.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in subscriptions.SUBSCRIBABLE_EVENT_NAMES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["organization", "url", "events", "description", "active"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            subscriptions.endpoint_url_check(url)
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(OrganizationScopedAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "organization", "active", "disabled_reason", "created_at"]
    list_filter = ["active", "organization"]
    search_fields = ["url", "id", "description"]
    readonly_fields = ["id", "disabled_reason", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form: Any, change: bool) -> None:
        # Through the services, so the URL is checked against SSRF and a new endpoint gets its secret.
        data = form.cleaned_data
        if change:
            subscriptions.endpoint_update(
                endpoint=obj,
                url=data["url"],
                events=data["events"],
                description=data.get("description", ""),
                active=data.get("active", obj.active),
            )
            return
        endpoint, secret = subscriptions.endpoint_create(
            organization=self._scope(request) or data["organization"],
            url=data["url"],
            events=data["events"],
            description=data.get("description", ""),
            created_by=request.user,
        )
        obj.pk = endpoint.pk
        messages.warning(request, f"Signing secret for {endpoint.url} (shown only this once): {secret}")


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "status_code", "succeeded", "error", "response_body"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.action(description="Redeliver (same webhook-id, new retry window)")
def redeliver(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    count = 0
    for delivery in queryset.select_related("endpoint"):
        if not delivery.endpoint.active:
            messages.error(request, f"{delivery.endpoint.url} is disabled; enable it first.")
            continue
        deliveries.delivery_redeliver(delivery=delivery)
        count += 1
    if count:
        messages.success(request, f"{count} deliveries queued.")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(OrganizationScopedAdmin):
    organization_field = "endpoint__organization"
    list_display = ["event", "endpoint", "status", "attempt_count", "last_status_code", "next_attempt_at"]
    list_filter = ["status", "event__name"]
    search_fields = ["id", "event__id", "endpoint__url"]
    list_select_related = ["event", "endpoint"]
    actions = [redeliver]
    inlines = [WebhookAttemptInline]
    readonly_fields = [
        "id",
        "event",
        "endpoint",
        "status",
        "attempt_count",
        "next_attempt_at",
        "retry_until",
        "locked_until",
        "last_status_code",
        "last_error",
        "created_at",
        "updated_at",
        "event_body",
    ]
    exclude = []

    @admin.display(description="Body")
    def event_body(self, obj: WebhookDelivery) -> str:
        return obj.event.body

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(OrganizationScopedAdmin):
    list_display = ["id", "name", "organization", "created_at"]
    list_filter = ["name"]
    search_fields = ["id"]
    readonly_fields = ["id", "organization", "name", "body", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
