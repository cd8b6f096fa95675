"""What a request learnt about its organization on the way in, kept for the apps above it.

The credential lookup (agents) reads the organization in the same query as the credential, and asks there
whether it has an active webhook endpoint (most have none, and then the request's events need not look
again) and what its topic catalog's version is (topic matching then validates its cached choices without
a query of its own). The webhooks and topics apps read the answers here, so none imports another.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Organization ids known, within the current request, to have no active webhook endpoint. None outside a
# request (Celery tasks, commands): nothing is known and nothing is noted.
_without_webhooks: ContextVar[set[str] | None] = ContextVar("organizations_without_webhooks", default=None)
# Organization id -> its catalog version as the credential lookup read it; None outside a request.
_catalog_versions: ContextVar[dict[str, str] | None] = ContextVar("catalog_versions", default=None)


@contextmanager
def request_hints_kept() -> Iterator[None]:
    """Within the block, what ``organization_without_webhooks_note`` records is kept."""
    token = _without_webhooks.set(set())
    versions = _catalog_versions.set({})
    try:
        yield
    finally:
        _catalog_versions.reset(versions)
        _without_webhooks.reset(token)


def organization_without_webhooks_note(organization_id: str) -> None:
    known = _without_webhooks.get()
    if known is not None:
        known.add(organization_id)


def organization_without_webhooks(organization_id: str) -> bool:
    known = _without_webhooks.get()
    return known is not None and organization_id in known


def organization_without_webhooks_forget(organization_id: str) -> None:
    """An endpoint of the organization was written during the request: what was noted no longer holds."""
    known = _without_webhooks.get()
    if known is not None:
        known.discard(organization_id)


def catalog_version_note(organization_id: str, version: str) -> None:
    known = _catalog_versions.get()
    if known is not None:
        known[organization_id] = version


def catalog_version_noted(organization_id: str) -> str | None:
    """The organization's catalog version as read earlier in this request, or None if it was not."""
    known = _catalog_versions.get()
    return None if known is None else known.get(organization_id)


def catalog_version_forget(organization_id: str) -> None:
    """The request writes the organization's catalog: the version noted no longer holds."""
    known = _catalog_versions.get()
    if known is not None:
        known.pop(organization_id, None)
