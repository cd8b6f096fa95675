"""Settings > Topics (admins) and Settings > Organization (owners)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.organizations.models import Membership
from apps.organizations.services import membership_remove, membership_role_set, organization_update
from apps.topics.models import Category, Topic, TopicAlias, TopicRepository
from apps.topics.services import (
    category_create,
    topic_alias_create,
    topic_alias_delete,
    topic_create,
    topic_repository_add,
    topic_repository_delete,
    topic_update,
)
from apps.web.access import page
from apps.web.forms import GuidanceForm, NameForm, PolicyForm, RoleForm, TopicCreateForm
from apps.web.views.common import membership_of
from apps.webhooks.deliveries import delivery_redeliver
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

ADMIN = Membership.Role.ADMIN
OWNER = Membership.Role.OWNER
DELIVERY_LOG_SIZE = 50


@page(ADMIN)
def topics(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    organization = membership.organization
    categories = Category.objects.filter(organization=organization).prefetch_related(
        Prefetch(
            "topics",
            queryset=Topic.objects.order_by("archived", "name").prefetch_related("aliases", "repositories"),
        )
    )
    category_form = NameForm(prefix="category")
    topic_form = TopicCreateForm(prefix="topic", categories=[(c.id, c.name) for c in categories])
    guidance_form = GuidanceForm(initial={"guidance": organization.guidance})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "category":
                category_form = NameForm(request.POST, prefix="category")
                if category_form.is_valid():
                    category_create(organization=organization, name=category_form.cleaned_data["name"])
                    messages.success(request, "Category added.")
                    return redirect("web:topics")
            elif action == "topic":
                topic_form = TopicCreateForm(
                    request.POST, prefix="topic", categories=[(c.id, c.name) for c in categories]
                )
                if topic_form.is_valid():
                    data = topic_form.cleaned_data
                    topic_create(organization=organization, name=data["name"], category_id=data["category"])
                    messages.success(request, "Topic added.")
                    return redirect("web:topics")
            elif action == "guidance":
                guidance_form = GuidanceForm(request.POST)
                if guidance_form.is_valid():
                    organization_update(
                        organization=organization, guidance=guidance_form.cleaned_data["guidance"]
                    )
                    messages.success(request, "Guidance saved.")
                    return redirect("web:topics")
        except DomainError as exc:
            form = category_form if action == "category" else topic_form
            form.add_error("name", exc.message)
        status = 400
    context = {
        "categories": categories,
        "category_form": category_form,
        "topic_form": topic_form,
        "guidance_form": guidance_form,
    }
    return render(request, "web/topics.html", context, status=status)


def _in_my_organization(request: HttpRequest, rows: type[Model] | QuerySet, pk: str, what: str) -> Any:
    """The organization's row with this id; any other organization's (or none) is a 404."""
    rows = rows if isinstance(rows, QuerySet) else rows.objects.all()
    found = rows.filter(organization_id=membership_of(request).organization_id, pk=pk).first()
    if found is None:
        raise Http404(f"No such {what}.")
    return found


def _back_to_topics(request: HttpRequest, change: Callable[[], str]) -> HttpResponse:
    """Make the change; its message, or the service's refusal, shows on the topics page."""
    try:
        messages.success(request, change())
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("web:topics")


@require_POST
@page(ADMIN)
def topic_archive(request: HttpRequest, topic_id: str) -> HttpResponse:
    topic = _in_my_organization(request, Topic, topic_id, "topic")
    archived = request.POST.get("archived") == "1"

    def change() -> str:
        topic_update(topic=topic, archived=archived)
        return f"{topic.name} {'archived' if archived else 'restored'}."

    return _back_to_topics(request, change)


@require_POST
@page(ADMIN)
def topic_alias_add(request: HttpRequest, topic_id: str) -> HttpResponse:
    """Another name agents may use for the topic (matched like its name)."""
    topic = _in_my_organization(request, Topic, topic_id, "topic")

    def change() -> str:
        alias = topic_alias_create(topic=topic, name=request.POST.get("name", ""))
        return f"{topic.name} can now also be called {alias.name}."

    return _back_to_topics(request, change)


@require_POST
@page(ADMIN)
def topic_alias_remove(request: HttpRequest, alias_id: str) -> HttpResponse:
    alias = _in_my_organization(request, TopicAlias, alias_id, "alias")

    def change() -> str:
        topic_alias_delete(alias=alias)
        return f"Alias {alias.name} removed."

    return _back_to_topics(request, change)


@require_POST
@page(ADMIN)
def topic_repository_bind(request: HttpRequest, topic_id: str) -> HttpResponse:
    """Work an agent reports in a matching repository goes to this topic when it names none."""
    topic = _in_my_organization(request, Topic, topic_id, "topic")

    def change() -> str:
        binding = topic_repository_add(topic=topic, pattern=request.POST.get("pattern", ""))
        return f"Repositories matching {binding.pattern} now go to {topic.name}."

    return _back_to_topics(request, change)


@require_POST
@page(ADMIN)
def topic_repository_unbind(request: HttpRequest, binding_id: str) -> HttpResponse:
    binding = _in_my_organization(request, TopicRepository, binding_id, "repository binding")

    def change() -> str:
        topic_repository_delete(binding=binding)
        return f"Repository binding {binding.pattern} removed."

    return _back_to_topics(request, change)


@page(OWNER)
def organization(request: HttpRequest) -> HttpResponse:
    membership = membership_of(request)
    org = membership.organization
    policy_fields = [
        "allow_overlaps",
        "max_timer_hours",
        "idle_stop_minutes",
        "idle_stop_sessionless_minutes",
    ]
    policy_form = PolicyForm(
        request.POST or None, initial={name: getattr(org, name) for name in policy_fields}
    )
    if request.method == "POST" and policy_form.is_valid():
        try:
            organization_update(organization=org, **policy_form.cleaned_data)
        except DomainError as exc:
            policy_form.add_error(None, exc.message)
        else:
            messages.success(request, "Policies saved.")
            return redirect("web:organization")
    members = Membership.objects.filter(organization=org).select_related("user").order_by("user__username")
    endpoints = WebhookEndpoint.objects.filter(organization=org).order_by("created_at")
    deliveries = (
        WebhookDelivery.objects.filter(endpoint__organization=org)
        .select_related("event", "endpoint")
        .order_by("-created_at")[:DELIVERY_LOG_SIZE]
    )
    context = {
        "organization": org,
        "policy_form": policy_form,
        "members": members,
        "roles": Membership.Role.choices,
        "endpoints": endpoints,
        "deliveries": deliveries,
    }
    return render(request, "web/organization.html", context, status=400 if policy_form.errors else 200)


def _member_of(request: HttpRequest, membership_id: str) -> Membership:
    return _in_my_organization(request, Membership.objects.select_related("user"), membership_id, "member")


@require_POST
@page(OWNER)
def member_role(request: HttpRequest, membership_id: str) -> HttpResponse:
    target = _member_of(request, membership_id)
    form = RoleForm(request.POST)
    if target.pk == membership_of(request).pk:
        # An owner demoting themselves could leave the organization without one.
        messages.error(request, "You cannot change your own role; ask another owner.")
    elif form.is_valid():
        membership_role_set(membership=target, role=form.cleaned_data["role"])
        messages.success(request, f"{target.user.username} is now {target.get_role_display().lower()}.")
    return redirect("web:organization")


@require_POST
@page(OWNER)
def member_remove(request: HttpRequest, membership_id: str) -> HttpResponse:
    target = _member_of(request, membership_id)
    if target.pk == membership_of(request).pk:
        messages.error(request, "You cannot remove yourself; ask another owner.")
    else:
        membership_remove(membership=target)
        messages.success(request, f"{target.user.username} removed from the organization.")
    return redirect("web:organization")


@require_POST
@page(OWNER)
def delivery_redeliver_view(request: HttpRequest, delivery_id: str) -> HttpResponse:
    delivery = WebhookDelivery.objects.filter(
        endpoint__organization_id=membership_of(request).organization_id, pk=delivery_id
    ).first()
    if delivery is None:
        raise Http404("No such delivery.")
    delivery_redeliver(delivery=delivery)
    messages.success(request, "Delivery queued again.")
    return redirect("web:organization")
