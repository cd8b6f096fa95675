"""The admin's building blocks shared by every app's admin: rows scoped to the organization an admin
administers, writes that go through the services, and form checks that show a service's refusal as a
form error. The organization is reached through ``request.user.membership``, so core imports no app."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from apps.core.errors import DomainError, Forbidden
from apps.core.names import name_key

# The membership roles (organizations.Membership.Role) that administer their organization.
ADMIN_ROLES = ("owner", "admin")


def organization_administered(request: HttpRequest) -> Model | None:
    """The organization a non-superuser administers, or None if they administer none."""
    membership = getattr(request.user, "membership", None)
    if membership is None or membership.role not in ADMIN_ROLES:
        return None
    return membership.organization


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Admin for a model with an ``organization`` field: an organization's admins see and change only
    their own organization's rows; superusers see everything."""

    organization_field = "organization"

    def _scope(self, request: HttpRequest) -> Model | None:
        return None if request.user.is_superuser else organization_administered(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or (
            organization_administered(request) is not None and super().has_module_permission(request)
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organization = organization_administered(request)
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


def copy_saved_row(obj: Model, saved: Model) -> None:
    """Copy the row a service saved onto the admin's own instance, which the admin goes on to log and
    link to (a service builds its own instance, with its own id)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


class UniqueNameForm(forms.ModelForm):
    """Checks before saving what the services would refuse, so it shows as a form error with the input
    kept: a name taken (ignoring case) in the organization, a category of another organization.

    Needed because an organization's admin has no ``organization`` field in the form, so Django's own
    constraint validation skips the unique constraints that include it."""

    admin_organization: Model | None = None  # set by ServiceWritesAdmin.get_form for non-superusers

    def _organization_id(self) -> str | None:
        if self.admin_organization is not None:
            return self.admin_organization.pk
        if "organization" in self.cleaned_data:  # a superuser's form (adding)
            chosen = self.cleaned_data["organization"]
            return chosen.pk if chosen else None
        return self.instance.organization_id

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organization_id = self._organization_id()
        if organization_id is None:
            return cleaned
        name = cleaned.get("name")
        if name:
            name = " ".join(name.split())  # as the services store it
            model = self._meta.model
            taken = model._default_manager.filter(organization_id=organization_id, name_key=name_key(name))
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("name", f"A {model._meta.verbose_name} named '{name}' already exists.")
        category = cleaned.get("category")
        if category is not None and category.organization_id != organization_id:
            self.add_error("category", "Choose a category of the same organization.")
        return cleaned


class ServiceWritesAdmin(OrganizationScopedAdmin):
    """An organization-scoped admin whose writes go through the app's services (subclasses override
    save_model and delete_model to call them), so admin changes emit the same webhook events and obey the
    same rules as the API.

    A service's refusal (DomainError) that the form could not foresee rolls the whole request back and
    comes back as an error message on the same page instead of a 500. Rows never move between
    organizations: ``organization`` is read-only once a row exists.
    """

    form = UniqueNameForm

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and self.organization_field == "organization":
            fields.append("organization")
        return fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Without an organization to put the row in, the add form would offer every organization's rows.
        return super().has_add_permission(request) and (
            request.user.is_superuser or organization_administered(request) is not None
        )

    def get_form(self, request: HttpRequest, obj: Model | None = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)  # a fresh class per request
        form.admin_organization = self._scope(request)
        return form

    def organization_for(self, request: HttpRequest, form: Any) -> Model:
        """The organization a new row goes into: the superuser's choice, else the one the user administers."""
        if request.user.is_superuser:
            return form.cleaned_data["organization"]
        organization = organization_administered(request)
        if organization is None:
            raise Forbidden("Only an organization's owners and admins can change it here.")
        return organization

    def _refusals_as_messages(
        self, request: HttpRequest, view: Callable[..., HttpResponse], *args: Any
    ) -> Any:
        try:
            with transaction.atomic():
                return view(request, *args)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> Any:
        return self._refusals_as_messages(
            request, super().changeform_view, object_id, form_url, extra_context
        )

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        return self._refusals_as_messages(request, super().delete_view, object_id, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        # Actions, the bulk delete included, run inside the changelist view.
        return self._refusals_as_messages(request, super().changelist_view, extra_context)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # The bulk "delete selected" action: one service call per row instead of one SQL DELETE.
        for obj in queryset:
            self.delete_model(request, obj)
