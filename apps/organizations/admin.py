from typing import Any

from django.contrib import admin
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from apps.organizations.models import Membership, Organization


def admin_organization(request: HttpRequest) -> Organization | None:
    """The organization a non-superuser administers, or None if they administer none."""
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.role not in (Membership.Role.OWNER, Membership.Role.ADMIN):
        return None
    return membership.organization


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Admin for a model with an ``organization`` field: an organization's admins see and change only
    their own organization's rows; superusers see everything."""

    organization_field = "organization"

    def _scope(self, request: HttpRequest) -> Organization | None:
        return None if request.user.is_superuser else admin_organization(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or (
            admin_organization(request) is not None and super().has_module_permission(request)
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organization = admin_organization(request)
        if organization is None:
            return queryset.none()
        return queryset.filter(**{self.organization_field: organization})

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and self.organization_field == "organization":
            excluded.append("organization")
        return excluded

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        organization = self._scope(request)
        if organization is not None and self.organization_field == "organization":
            obj.organization = organization
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField:
        organization = self._scope(request)
        related = db_field.related_model
        if organization is not None and hasattr(related, "organization"):
            kwargs["queryset"] = related._default_manager.filter(organization=organization)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        organization = self._scope(request)
        related = db_field.related_model
        if organization is not None and hasattr(related, "organization"):
            kwargs["queryset"] = related._default_manager.filter(organization=organization)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_field = "pk"
    list_display = ["name", "id", "plan", "allow_overlaps", "max_timer_hours", "created_at"]
    list_filter = ["plan", "allow_overlaps"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if request.user.is_superuser:
            return queryset
        organization = admin_organization(request)
        return queryset.filter(pk=organization.pk) if organization else queryset.none()

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # The plan sets the API quota, so only the operator (a superuser) changes it.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "plan"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user"]
