from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from apps.core.admin import ServiceWritesAdmin, copy_saved_row, organization_administered
from apps.organizations.models import Membership, Organization
from apps.organizations.services import membership_add, membership_remove, membership_role_set


class MembershipInlineForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            # Another user in an existing row would be a remove plus an add without their events.
            self.fields["user"].disabled = True


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipInlineForm
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(ServiceWritesAdmin):
    organization_field = "pk"
    form = forms.ModelForm
    list_display = ["name", "id", "plan", "allow_overlaps", "max_timer_hours", "created_at"]
    list_filter = ["plan", "allow_overlaps"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        organization = organization_administered(request)
        return queryset.filter(pk=organization.pk) if organization else queryset.none()

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # The plan sets the API quota, so only the operator (a superuser) changes it.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "plan"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Membership:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)  # fills new_objects, changed_objects and deleted_objects, writes nothing
        for membership in formset.deleted_objects:
            membership_remove(membership=membership)
        for membership, _fields in formset.changed_objects:
            copy_saved_row(
                membership, membership_role_set(membership=_stored(membership), role=membership.role)
            )
        for membership in formset.new_objects:
            added = membership_add(organization=form.instance, user=membership.user, role=membership.role)
            copy_saved_row(membership, added)
        return None


def _stored(membership: Membership) -> Membership:
    return Membership.objects.select_related("user").get(pk=membership.pk)


@admin.register(Membership)
class MembershipAdmin(ServiceWritesAdmin):
    form = forms.ModelForm
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        # Moving a membership to another user is a removal and an addition, each with its event.
        return fields if obj is None else [*fields, "user"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        if change:
            saved = membership_role_set(membership=_stored(obj), role=obj.role)
        else:
            saved = membership_add(
                organization=self.organization_for(request, form), user=obj.user, role=obj.role
            )
        copy_saved_row(obj, saved)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        membership_remove(membership=obj)
