from django.contrib import admin

from apps.organizations.admin import OrganizationScopedAdmin
from apps.topics.models import Category, Topic


@admin.register(Category)
class CategoryAdmin(OrganizationScopedAdmin):
    list_display = ["name", "id", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at", "updated_at"]


@admin.register(Topic)
class TopicAdmin(OrganizationScopedAdmin):
    list_display = ["name", "id", "category", "organization", "archived", "updated_at"]
    list_filter = ["archived", "organization", "category"]
    search_fields = ["name", "id", "category__name"]
    readonly_fields = ["id", "created_at", "updated_at"]
    list_select_related = ["category", "organization"]
    actions = ["archive", "unarchive"]

    @admin.action(description="Archive selected topics (hide them from agents)")
    def archive(self, request, queryset):  # type: ignore[no-untyped-def]
        for topic in queryset:
            topic.archived = True
            topic.save(update_fields=["archived", "updated_at"])

    @admin.action(description="Unarchive selected topics")
    def unarchive(self, request, queryset):  # type: ignore[no-untyped-def]
        for topic in queryset:
            topic.archived = False
            topic.save(update_fields=["archived", "updated_at"])
