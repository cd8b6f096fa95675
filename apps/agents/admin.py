"""Admin for agents, their secrets and personal API keys; every change goes through apps.agents.services.

Plaintext secrets and keys are rendered straight into the response of the request that created them (never
put in a message, which would travel in a cookie or sit in the session table).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from oauth2_provider.models import get_grant_model, get_id_token_model, get_refresh_token_model

from apps.agents import services
from apps.agents.models import Agent, AgentSecret, ApiKey
from apps.core.admin import OrganizationScopedAdmin, organization_administered
from apps.organizations.models import Membership

CREDENTIAL_TEMPLATE = "agents/admin/credential_once.html"


def token_curl(request: HttpRequest, client_id: str, client_secret: str) -> str:
    """The ready-to-paste token request shown next to a new secret."""
    url = request.build_absolute_uri(reverse("oauth2_provider:token"))
    return (
        f"curl -X POST {url} \\\n"
        '  -H "Content-Type: application/x-www-form-urlencoded" \\\n'
        '  -d "grant_type=client_credentials" \\\n'
        f'  -d "client_id={client_id}" \\\n'
        f'  -d "client_secret={client_secret}"'
    )


def _show_credentials(
    request: HttpRequest, model_admin: admin.ModelAdmin, title: str, credentials: list[dict[str, str]]
) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "credentials": credentials,
    }
    # Every admin view is wrapped in never_cache (Cache-Control: no-store), so the page is not kept.
    return TemplateResponse(request, CREDENTIAL_TEMPLATE, context)


class CredentialAdmin(OrganizationScopedAdmin):
    """Shared by the admins below: a user dropdown limited to the admin's organization (users carry no
    organization field), and actions that apply a service to each selected row."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField:
        organization = None if request.user.is_superuser else organization_administered(request)
        if db_field.name == "user" and organization is not None:
            kwargs["queryset"] = Membership.user.field.related_model.objects.filter(
                membership__organization=organization
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def apply_each(
        self, request: HttpRequest, queryset: QuerySet, service: Callable[[Any], Any], done: str
    ) -> None:
        count = 0
        for obj in queryset:
            service(obj)
            count += 1
        noun = self.model._meta.verbose_name if count == 1 else self.model._meta.verbose_name_plural
        self.message_user(request, f"{done} {count} {noun}.", messages.SUCCESS)


def _scope_choices() -> list[tuple[str, str]]:
    return [(name, f"{name}: {label}") for name, label in settings.OAUTH2_PROVIDER["SCOPES"].items()]


class AgentForm(forms.ModelForm):
    """Checks what agent_create would refuse, so the admin shows a form error instead of failing."""

    scopes = forms.MultipleChoiceField(
        choices=_scope_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "What its tokens may ask for (scope=… at the token endpoint). Every agent has 'agent'. "
            "'webhooks' also needs an owner who is an owner or admin of the organization."
        ),
    )

    class Meta:
        model = Agent
        fields = ["name", "user", "default_topic"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "name" in self.fields:
            self.fields["name"].required = True
        if "scopes" in self.fields:
            self.fields["scopes"].initial = (
                self.instance.allowed_scope_list if self.instance.pk else [services.BASE_SCOPE]
            )

    def clean_scopes(self) -> list[str]:
        # "agent" is not optional: ticking it off would otherwise look like it changed something.
        return sorted({*self.cleaned_data["scopes"], services.BASE_SCOPE})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        user, topic = data.get("user"), data.get("default_topic")
        membership = getattr(user, "membership", None) if user else None
        organization_id = membership.organization_id if membership else None
        if user is not None and membership is None:
            self.add_error("user", "This user belongs to no organization.")
        elif topic is not None and organization_id and topic.organization_id != organization_id:
            self.add_error("default_topic", "Pick a topic of the owner's organization.")
        return data


class AgentSecretInline(admin.TabularInline):
    model = AgentSecret
    extra = 0
    can_delete = False
    fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # New secrets come from the "Rotate secret" action, which shows them once.


# DOT registers its generic Application admin for the swapped model; ours replaces it. Its grants,
# refresh tokens and ID tokens are plumbing of the OAuth flows with nothing to manage by hand.
for _model in (Agent, get_grant_model(), get_refresh_token_model(), get_id_token_model()):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(Agent)
class AgentAdmin(CredentialAdmin):
    form = AgentForm
    list_display = [
        "name",
        "kind_label",
        "client_id",
        "user",
        "organization",
        "allowed_scopes",
        "active",
        "last_used_at",
        "created",
    ]
    list_filter = ["active", "authorization_grant_type"]
    search_fields = ["name", "client_id", "user__username"]
    actions = ["rotate_secret", "deactivate", "reactivate", "revoke_interactive"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agent]:
        # Client registrations (no owner yet) are OAuth plumbing, not agents: a person's consent turns
        # one into an interactive agent, which is listed here.
        return super().get_queryset(request).exclude(user__isnull=True, organization__isnull=True)

    @admin.display(description="kind", ordering="authorization_grant_type")
    def kind_label(self, obj: Agent) -> str:
        return "interactive (browser sign-in)" if obj.kind == "interactive" else "secret"

    def get_inlines(self, request: HttpRequest, obj: Model | None) -> list[Any]:
        # A new agent's first secret comes with it; an interactive agent has none (it signs in instead).
        if obj is None or (isinstance(obj, Agent) and obj.kind == "interactive"):
            return []
        return [AgentSecretInline]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        interactive = isinstance(obj, Agent) and obj.kind == "interactive"
        # An interactive agent's tokens carry the scope the person consented to, not admin-set ones.
        fields = (
            ["name", "user", "default_topic"] if interactive else ["name", "user", "default_topic", "scopes"]
        )
        if obj is not None:
            fields += ["client_id", "active", "last_used_at", "created", "updated"]
        if request.user.is_superuser and obj is not None:
            fields.append("organization")
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        if obj is None:
            return []
        # The owner decides whose time the agent tracks and which organization it sees: fixed at creation.
        return ["user", "client_id", "active", "last_used_at", "created", "updated", "organization"]

    def save_model(self, request: HttpRequest, obj: Agent, form: Any, change: bool) -> None:
        scopes = form.cleaned_data.get("scopes", [services.BASE_SCOPE])
        if change:
            obj.save(update_fields=["name", "default_topic", "updated"])
            if "scopes" in form.changed_data:
                services.agent_scopes_set(agent=obj, scopes=scopes)
            return
        agent, issued = services.agent_create(
            user=form.cleaned_data["user"], name=obj.name, default_topic=obj.default_topic, scopes=scopes
        )
        obj.pk = agent.pk
        obj.refresh_from_db()
        request._issued_agent_secret = issued  # read by response_add, never stored

    def response_add(self, request: HttpRequest, obj: Agent, post_url_continue: str | None = None) -> Any:
        issued = request._issued_agent_secret
        credential = {
            "label": f"Agent {obj.name}",
            "client_id": obj.client_id,
            "secret": issued.plaintext,
            "curl": token_curl(request, obj.client_id, issued.plaintext),
            "back": reverse("admin:agents_agent_change", args=[obj.pk]),
        }
        return _show_credentials(request, self, "Agent created: copy its secret now", [credential])

    @admin.action(description="Rotate secret (add a new one; old ones keep working until revoked)")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[Agent]) -> HttpResponse:
        credentials = []
        for agent in queryset:
            issued = services.agent_secret_rotate(agent=agent)
            credentials.append(
                {
                    "label": f"Agent {agent.name}",
                    "client_id": agent.client_id,
                    "secret": issued.plaintext,
                    "curl": token_curl(request, agent.client_id, issued.plaintext),
                    "back": reverse("admin:agents_agent_change", args=[agent.pk]),
                }
            )
        return _show_credentials(request, self, "New secrets: copy them now", credentials)

    @admin.action(description="Deactivate (its tokens are refused from the next request)")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        self.apply_each(
            request, queryset, lambda agent: services.agent_deactivate(agent=agent), "Deactivated"
        )

    @admin.action(description="Revoke an interactive agent (its access and refresh tokens stop at once)")
    def revoke_interactive(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        interactive = queryset.filter(registration__isnull=False)
        skipped = queryset.count() - interactive.count()
        self.apply_each(
            request, interactive, lambda agent: services.interactive_agent_revoke(agent=agent), "Revoked"
        )
        if skipped:
            self.message_user(
                request, f"Skipped {skipped} secret agent(s): deactivate them instead.", messages.WARNING
            )

    @admin.action(description="Reactivate")
    def reactivate(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        self.apply_each(
            request, queryset, lambda agent: services.agent_reactivate(agent=agent), "Reactivated"
        )


@admin.register(AgentSecret)
class AgentSecretAdmin(CredentialAdmin):
    organization_field = "agent__organization"
    list_display = ["prefix", "agent", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "agent__name", "agent__client_id"]
    fields = ["agent", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # Revoke instead: the row records which secret minted which token.

    @admin.action(description="Revoke (mints no more tokens; its tokens are refused)")
    def revoke(self, request: HttpRequest, queryset: QuerySet[AgentSecret]) -> None:
        self.apply_each(
            request, queryset, lambda secret: services.agent_secret_revoke(secret=secret), "Revoked"
        )


@admin.register(ApiKey)
class ApiKeyAdmin(CredentialAdmin):
    list_display = ["name", "prefix", "user", "organization", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        if obj is None:
            return ["name", "user"]
        return ["name", "user", "organization", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        issued = services.api_key_create(user=form.cleaned_data["user"], name=obj.name)
        obj.pk = issued.api_key.pk
        obj.refresh_from_db()
        request._issued_api_key = issued

    def response_add(self, request: HttpRequest, obj: ApiKey, post_url_continue: str | None = None) -> Any:
        issued = request._issued_api_key
        url = request.build_absolute_uri("/api/agent/me")
        credential = {
            "label": f"API key {obj.name} (acts as {obj.user})",
            "secret": issued.plaintext,
            "curl": f'curl {url} \\\n  -H "X-API-Key: {issued.plaintext}"',
            "back": reverse("admin:agents_apikey_change", args=[obj.pk]),
        }
        return _show_credentials(request, self, "API key created: copy it now", [credential])

    @admin.action(description="Revoke")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        self.apply_each(request, queryset, lambda key: services.api_key_revoke(api_key=key), "Revoked")
