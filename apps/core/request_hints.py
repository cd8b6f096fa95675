"""What a request learnt about its organization on the way in, kept for the apps above it.

The credential lookup (agents) reads the organization in the same query as the credential, and asks there
whether it has an active webhook endpoint: most have none, and then the request's events need not look
again. The webhooks app reads the answer here, so neither of the two imports the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

# Organization ids known, within the current request, to have no active webhook endpoint. None outside a
# request (Celery tasks, commands): nothing is known and nothing is noted.
_without_webhooks: ContextVar[set[str] | None] = ContextVar("organizations_without_webhooks", default=None)


@contextmanager
def request_hints_kept() -> Iterator[None]:
    """Within the block, what ``organization_without_webhooks_note`` records is kept."""
    token = _without_webhooks.set(set())
    try:
        yield
    finally:
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
