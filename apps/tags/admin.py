from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.admin import ServiceWritesAdmin, copy_saved_row
from apps.tags.models import Tag
from apps.tags.services import tag_create, tag_delete, tag_update


@admin.register(Tag)
class TagAdmin(ServiceWritesAdmin):
    list_display = ["name", "id", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at"]

    def save_model(self, request: HttpRequest, obj: Tag, form: Any, change: bool) -> None:
        name = form.cleaned_data["name"]
        if change:
            saved = tag_update(tag=Tag.objects.get(pk=obj.pk), name=name)
        else:
            saved = tag_create(organization=self.organization_for(request, form), name=name)
        copy_saved_row(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Tag) -> None:
        tag_delete(tag=obj)
