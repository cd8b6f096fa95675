from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from apps.clocked_times.models import ClockedTime
from apps.clocked_times.services import clocked_time_delete, clocked_time_update
from apps.core.admin import ServiceWritesAdmin


@admin.register(ClockedTime)
class ClockedTimeAdmin(ServiceWritesAdmin):
    form = forms.ModelForm
    list_display = [
        "id",
        "user",
        "topic",
        "start_time",
        "end_time",
        "type",
        "agent",
        "session",
        "organization",
    ]
    list_filter = [
        "type",
        "organization",
        "topic__category",
        ("end_time", admin.EmptyFieldListFilter),
        "source_client",
        ("session", admin.EmptyFieldListFilter),
    ]
    search_fields = [
        "id",
        "notes",
        "topic__name",
        "user__username",
        "session",
        "source_repository",
        "source_branch",
    ]
    date_hierarchy = "start_time"
    list_select_related = ["user", "topic", "agent", "organization"]
    autocomplete_fields = ["tags"]
    # Times, owner and topic change through the API, where the owner's agent or integration works; here
    # people fix notes and tags. Both paths use the same services, so the same rules and webhook events.
    readonly_fields = [
        "id",
        "organization",
        "user",
        "topic",
        "start_time",
        "end_time",
        "type",
        "agent",
        "session",
        "source_client",
        "source_repository",
        "source_branch",
        "source_directory",
        "source_host",
        "last_heartbeat_at",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return []

    def save_model(self, request: HttpRequest, obj: ClockedTime, form: Any, change: bool) -> None:
        clocked_time_update(entry=obj, notes=form.cleaned_data["notes"], tags=form.cleaned_data["tags"])

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Tags were set by the service in save_model (with the entry's event); nothing else to save."""

    def delete_model(self, request: HttpRequest, obj: ClockedTime) -> None:
        clocked_time_delete(entry=obj)
