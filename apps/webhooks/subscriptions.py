"""Who hears what: each organization's webhook endpoints and the events they subscribe to.

The events Teeckin emits are named as in ClockEye's catalogue so integrations written for it subscribe
unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Model

from apps.core.errors import Conflict, NotFound, ValidationFailed
from apps.core.request_hints import (
    organization_without_webhooks,
    organization_without_webhooks_forget,
    request_hints_kept,
)
from apps.webhooks import signing, transport
from apps.webhooks.models import WebhookEndpoint

# The events Teeckin emits, named as in ClockEye's catalogue so integrations written for it subscribe
# unchanged. (user.invited is never emitted yet: there is no invitation flow.)
EVENT_NAMES = (
    "time_entry.created",
    "time_entry.updated",
    "time_entry.deleted",
    "time_entry.started",
    "time_entry.stopped",
    "project.created",
    "project.updated",
    "project.deleted",
    "user.invited",
    "user.joined",
    "user.removed",
)
# What a subscription may name: ClockEye's whole catalogue. screenshot.captured is accepted so a ClockEye
# integration subscribes unchanged, and never emitted (Teeckin takes no screenshots).
SUBSCRIBABLE_EVENT_NAMES = (*EVENT_NAMES, "screenshot.captured")

# Active endpoints per organization id, remembered for one request (see ``subscriptions_remembered``): a
# timer start emits two events, and each would otherwise look the endpoints up again. None outside a
# request (Celery tasks, commands): every lookup then reads the table.
_remembered: ContextVar[dict[str, list[WebhookEndpoint]] | None] = ContextVar(
    "webhook_endpoints", default=None
)


@contextmanager
def subscriptions_remembered() -> Iterator[None]:
    """Within the block, an organization's active endpoints are read at most once (writes to its
    endpoints through this module forget them again)."""
    token = _remembered.set({})
    try:
        with request_hints_kept():
            yield
    finally:
        _remembered.reset(token)


def _subscriptions_forget(organization_id: str) -> None:
    remembered = _remembered.get()
    if remembered is not None:
        remembered.pop(organization_id, None)
    organization_without_webhooks_forget(organization_id)


def endpoints_active(organization_id: str) -> list[WebhookEndpoint]:
    remembered = _remembered.get()
    if remembered is not None and organization_id in remembered:
        return remembered[organization_id]
    # The credential lookup may have learnt already that there are none (apps/core/request_hints.py).
    if organization_without_webhooks(organization_id):
        endpoints = []
    else:
        endpoints = list(WebhookEndpoint.objects.filter(organization_id=organization_id, active=True))
    if remembered is not None:
        remembered[organization_id] = endpoints
    return endpoints


def endpoint_url_check(url: str) -> None:
    """Refuse a URL the webhooks may not call (SSRF rules in apps.webhooks.transport)."""
    try:
        transport.url_resolve(url)
    except transport.UnsafeURL as exc:
        raise ValidationFailed(str(exc), code="WEBHOOK_URL_REFUSED", details={"url": [str(exc)]}) from exc


def _events_check(events: Iterable[str]) -> list[str]:
    events = list(dict.fromkeys(events))
    unknown = [name for name in events if name not in SUBSCRIBABLE_EVENT_NAMES]
    if unknown or not events:
        message = f"Unknown events: {', '.join(unknown)}." if unknown else "Subscribe to at least one event."
        raise ValidationFailed(message, details={"events": [message]})
    return events


@transaction.atomic
def endpoint_create(
    *,
    organization: Model,
    url: str,
    events: Iterable[str],
    description: str = "",
    created_by: AbstractBaseUser | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; returns it with its signing secret, the only time the secret is readable."""
    events = _events_check(events)
    endpoint_url_check(url)
    # Each endpoint multiplies every event's deliveries; a cap keeps one organization from flooding workers.
    limit = settings.WEBHOOK_MAX_ENDPOINTS_PER_ORGANIZATION
    # Count and insert under the organization's row lock: racing creates would each count below the cap.
    # The caller's organization's own model: webhooks sits below the apps that emit events, organizations
    # among them, and imports none of them.
    type(organization)._default_manager.select_for_update().filter(pk=organization.pk).values_list(
        "pk", flat=True
    ).get()
    if WebhookEndpoint.objects.filter(organization=organization).count() >= limit:
        raise Conflict(
            f"An organization can have at most {limit} webhook endpoints.", code="WEBHOOK_LIMIT_REACHED"
        )
    secret = signing.secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        events=events,
        description=description,
        secret_encrypted=signing.secret_encrypt(secret),
        created_by=created_by,
    )
    _subscriptions_forget(organization.pk)
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    events: Iterable[str] | None = None,
    description: str | None = None,
    active: bool | None = None,
) -> WebhookEndpoint:
    """Change an endpoint; re-activating one (after a 410 or by hand) clears the reason it was disabled.

    ``endpoint`` only names the row: it is read again under its row lock and only the fields that change
    are written, so an edit of the description cannot re-enable an endpoint that a 410 disabled since the
    caller read it. Returns the endpoint as saved.
    """
    if url is not None:
        endpoint_url_check(url)  # outside the lock: it resolves the host name
    endpoint = WebhookEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
    if endpoint is None:  # deleted meanwhile
        raise NotFound("Webhook not found.", code="WEBHOOK_NOT_FOUND")
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = url
    if events is not None:
        changes["events"] = _events_check(events)
    if description is not None:
        changes["description"] = description
    if active is not None and active != endpoint.active:
        changes["active"] = active
        if active:
            changes["disabled_reason"] = ""
        elif not endpoint.disabled_reason:  # keep a more telling reason, such as a 410
            changes["disabled_reason"] = "Disabled by an administrator."
    for field, value in changes.items():
        setattr(endpoint, field, value)
    endpoint.save(update_fields=[*changes, "updated_at"])
    _subscriptions_forget(endpoint.organization_id)
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()
    _subscriptions_forget(endpoint.organization_id)
