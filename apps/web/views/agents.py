"""Settings > Agents: agents, their secrets (the Secrets tab), and my personal API keys."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.agents.models import Agent, AgentSecret, ApiKey
from apps.agents.services import (
    IssuedSecret,
    agent_create,
    agent_deactivate,
    agent_default_topic_set,
    agent_reactivate,
    agent_scopes_set,
    agent_secret_revoke,
    agent_secret_rotate,
    api_key_create,
    api_key_revoke,
)
from apps.core.errors import DomainError
from apps.topics.models import Topic
from apps.topics.selectors import topic_of
from apps.web.access import is_admin, page
from apps.web.forms import AgentCreateForm, AgentSettingsForm, NameForm
from apps.web.views.common import agent_of, membership_of, topic_choices


def _agents(request: HttpRequest) -> Any:
    membership = membership_of(request)
    agents = Agent.objects.filter(organization_id=membership.organization_id)
    if not is_admin(membership):
        agents = agents.filter(user_id=request.user.pk)
    return agents.select_related("user").order_by("name")


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _secret_shown(request: HttpRequest, agent: Agent, issued: IssuedSecret, *, created: bool) -> HttpResponse:
    """The one page that ever shows the secret in clear, with snippets ready to paste."""
    context = {"agent": agent, "secret": issued.plaintext, "base_url": _base_url(request), "created": created}
    response = render(request, "web/agent_secret_once.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _default_topic(membership: Any, topic_id: str) -> Topic | None:
    return topic_of(organization_id=membership.organization_id, topic_id=topic_id) if topic_id else None


@page()
def agents(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    form = AgentCreateForm(request.POST or None, topics=topic_choices(membership))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            topic = _default_topic(membership, data["default_topic"])
            agent, issued = agent_create(
                user=request.user, name=data["name"], default_topic=topic, scopes=data["scopes"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return _secret_shown(request, agent, issued, created=True)
    context = {"agents": _agents(request), "form": form}
    return render(request, "web/agents.html", context, status=400 if form.errors else 200)


def _agent_page(request: HttpRequest, agent: Agent, tab: str, **extra: Any) -> HttpResponse:
    membership = membership_of(request)
    settings_form = extra.pop("settings_form", None) or AgentSettingsForm(
        initial={"default_topic": agent.default_topic_id or "", "scopes": agent.allowed_scope_list},
        topics=topic_choices(membership),
    )
    secrets = agent.secrets.order_by("-created_at") if tab == "secrets" else None
    context = {"agent": agent, "tab": tab, "settings_form": settings_form, "secrets": secrets, **extra}
    return render(request, "web/agent.html", context)


@page()
def agent_detail(request: HttpRequest, client_id: str) -> HttpResponse:
    agent = agent_of(membership_of(request), client_id)
    if request.method == "POST":
        form = AgentSettingsForm(request.POST, topics=topic_choices(membership_of(request)))
        if form.is_valid():
            data = form.cleaned_data
            try:
                topic = _default_topic(membership_of(request), data["default_topic"])
                agent_default_topic_set(agent=agent, default_topic=topic)
                agent_scopes_set(agent=agent, scopes=data["scopes"])
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Agent settings saved.")
                return redirect("web:agent", client_id=client_id)
        return _agent_page(request, agent, "settings", settings_form=form)
    return _agent_page(request, agent, "settings")


@page()
def agent_secrets(request: HttpRequest, client_id: str) -> HttpResponse:
    return _agent_page(request, agent_of(membership_of(request), client_id), "secrets")


@require_POST
@page()
def agent_secret_rotate_view(request: HttpRequest, client_id: str) -> HttpResponse:
    agent = agent_of(membership_of(request), client_id)
    return _secret_shown(request, agent, agent_secret_rotate(agent=agent), created=False)


@require_POST
@page()
def agent_secret_revoke_view(request: HttpRequest, client_id: str, secret_id: int) -> HttpResponse:
    agent = agent_of(membership_of(request), client_id)
    secret = AgentSecret.objects.filter(agent=agent, pk=secret_id).first()
    if secret is None:
        raise Http404("No such secret.")
    agent_secret_revoke(secret=secret)
    messages.success(
        request, f"Secret {secret.prefix}… revoked: it mints no more tokens and its tokens stop."
    )
    return redirect("web:agent-secrets", client_id=client_id)


@require_POST
@page()
def agent_active_view(request: HttpRequest, client_id: str) -> HttpResponse:
    agent = agent_of(membership_of(request), client_id)
    if request.POST.get("active") == "1":
        agent_reactivate(agent=agent)
        messages.success(request, f"{agent.name} reactivated.")
    else:
        agent_deactivate(agent=agent)
        messages.success(request, f"{agent.name} deactivated: its tokens are refused from now on.")
    return redirect("web:agent", client_id=client_id)


@page()
def api_keys(request: HttpRequest) -> HttpResponse:
    """My personal API keys (X-API-Key): created and shown once, revoked here."""
    form = NameForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = api_key_create(user=request.user, name=form.cleaned_data["name"])
        except DomainError as exc:
            form.add_error("name", exc.message)
        else:
            form = NameForm()
    keys = ApiKey.objects.filter(
        user_id=request.user.pk, organization_id=membership_of(request).organization_id
    )
    response = render(
        request,
        "web/api_keys.html",
        {"form": form, "keys": keys.order_by("-created_at"), "created": created},
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@page()
def api_key_revoke_view(request: HttpRequest, key_id: int) -> HttpResponse:
    key = ApiKey.objects.filter(
        pk=key_id, user_id=request.user.pk, organization_id=membership_of(request).organization_id
    ).first()
    if key is None:
        raise Http404("No such API key.")
    api_key_revoke(api_key=key)
    messages.success(request, f"API key {key.name} revoked.")
    return redirect("web:api-keys")
