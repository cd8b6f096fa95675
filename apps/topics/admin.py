from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.admin import ServiceWritesAdmin, copy_saved_row
from apps.topics.models import Category, Topic, TopicAlias, TopicRepository
from apps.topics.services import (
    CATEGORY_IN_USE_MESSAGE,
    TOPIC_IN_USE_MESSAGE,
    category_create,
    category_delete,
    category_update,
    topic_alias_create,
    topic_alias_delete,
    topic_alias_update,
    topic_create,
    topic_delete,
    topic_repository_add,
    topic_repository_delete,
    topic_update,
)


class ProtectedExplained:
    """When the delete page finds rows that block the deletion (the admin then refuses it), also say
    what to do instead, in the service's words."""

    protected_message = ""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)  # type: ignore[misc]
        if protected:
            self.message_user(request, self.protected_message, messages.ERROR)  # type: ignore[attr-defined]
        return deleted, counts, perms_needed, protected


@admin.register(Category)
class CategoryAdmin(ProtectedExplained, ServiceWritesAdmin):
    list_display = ["name", "id", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at", "updated_at"]
    protected_message = CATEGORY_IN_USE_MESSAGE

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        name = form.cleaned_data["name"]
        if change:
            # The stored row, not the form's edited instance: the service compares names to spot a rename.
            saved = category_update(category=Category.objects.get(pk=obj.pk), name=name)
        else:
            saved = category_create(organization=self.organization_for(request, form), name=name)
        copy_saved_row(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Category) -> None:
        category_delete(category=obj)


@admin.register(Topic)
class TopicAdmin(ProtectedExplained, ServiceWritesAdmin):
    list_display = ["name", "id", "category", "organization", "archived", "updated_at"]
    list_filter = ["archived", "organization", "category"]
    search_fields = ["name", "id", "category__name"]
    readonly_fields = ["id", "created_at", "updated_at"]
    list_select_related = ["category", "organization"]
    actions = ["archive", "unarchive"]
    protected_message = TOPIC_IN_USE_MESSAGE

    def save_model(self, request: HttpRequest, obj: Topic, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if change:
            saved = topic_update(
                topic=Topic.objects.get(pk=obj.pk),
                name=data["name"],
                category_id=data["category"].pk,
                archived=data["archived"],
            )
        else:
            saved = topic_create(
                organization=self.organization_for(request, form),
                name=data["name"],
                category_id=data["category"].pk,
                archived=data["archived"],
            )
        copy_saved_row(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Topic) -> None:
        topic_delete(topic=obj)

    def _archived_set(self, request: HttpRequest, queryset: QuerySet, *, archived: bool) -> None:
        # Only the topics that change, so subscribers get no project.updated for a no-op.
        topics = list(queryset.exclude(archived=archived).select_related("category"))
        for topic in topics:
            topic_update(topic=topic, archived=archived)
        verb = "archived" if archived else "unarchived"
        self.message_user(request, f"{len(topics)} topic(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Archive selected topics (hide them from agents)")
    def archive(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._archived_set(request, queryset, archived=True)

    @admin.action(description="Unarchive selected topics")
    def unarchive(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._archived_set(request, queryset, archived=False)


@admin.register(TopicAlias)
class TopicAliasAdmin(ServiceWritesAdmin):
    """Aliases go into their topic's organization: the form offers only the admin's own topics."""

    list_display = ["name", "topic", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "topic__name"]
    readonly_fields = ["id", "created_at"]
    exclude = ["organization"]
    list_select_related = ["topic", "organization"]

    def save_model(self, request: HttpRequest, obj: TopicAlias, form: Any, change: bool) -> None:
        name = form.cleaned_data["name"]
        if change:
            saved = topic_alias_update(alias=TopicAlias.objects.get(pk=obj.pk), name=name)
        else:
            saved = topic_alias_create(topic=form.cleaned_data["topic"], name=name)
        copy_saved_row(obj, saved)

    def delete_model(self, request: HttpRequest, obj: TopicAlias) -> None:
        topic_alias_delete(alias=obj)


@admin.register(TopicRepository)
class TopicRepositoryAdmin(ServiceWritesAdmin):
    """Repository bindings (stored normalised); changing one is removing it and adding another."""

    list_display = ["pattern", "topic", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["pattern", "topic__name"]
    readonly_fields = ["id", "created_at"]
    exclude = ["organization"]
    list_select_related = ["topic", "organization"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: TopicRepository, form: Any, change: bool) -> None:
        saved = topic_repository_add(topic=form.cleaned_data["topic"], pattern=form.cleaned_data["pattern"])
        copy_saved_row(obj, saved)

    def delete_model(self, request: HttpRequest, obj: TopicRepository) -> None:
        topic_repository_delete(binding=obj)
