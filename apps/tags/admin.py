from django.contrib import admin

from apps.organizations.admin import OrganizationScopedAdmin
from apps.tags.models import Tag


@admin.register(Tag)
class TagAdmin(OrganizationScopedAdmin):
    list_display = ["name", "id", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at"]
