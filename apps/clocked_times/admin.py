from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from apps.clocked_times.models import ClockedTime
from apps.organizations.admin import OrganizationScopedAdmin


@admin.register(ClockedTime)
class ClockedTimeAdmin(OrganizationScopedAdmin):
    list_display = ["id", "user", "topic", "start_time", "end_time", "type", "agent", "organization"]
    list_filter = ["type", "organization", "topic__category", ("end_time", admin.EmptyFieldListFilter)]
    search_fields = ["id", "notes", "topic__name", "user__username"]
    date_hierarchy = "start_time"
    list_select_related = ["user", "topic", "agent", "organization"]
    autocomplete_fields = ["tags"]
    # Times, owner and topic change only through the services (the API), which check the time range,
    # the running-timer rule and the organization's overlap policy; here people fix notes and tags.
    readonly_fields = [
        "id",
        "organization",
        "user",
        "topic",
        "start_time",
        "end_time",
        "type",
        "agent",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return []
