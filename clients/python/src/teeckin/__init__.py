"""Python SDK for the Teeckin time-tracking API.

from teeckin import Teeckin
client = Teeckin(base_url="https://teeckin.example.com", api_key="tak_…")
client.timer.start(topic="Research")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Names are imported on first use (PEP 562): the `teeckin` command's hooks must start in a fraction of a
# second, and the models alone take a third of one to import. ``from teeckin import Teeckin`` and type
# checkers see no difference.
_SOURCES = {
    "models": "teeckin.models",
    "AsyncTeeckin": "teeckin._async",
    "Teeckin": "teeckin._sync",
    "verify_webhook": "teeckin.webhooks",
    **{
        name: "teeckin._core"
        for name in ("Call", "MemoryTokenStore", "Options", "Token", "TokenStore", "__version__")
    },
    **{
        name: "teeckin.errors"
        for name in (
            "APIError",
            "AuthenticationError",
            "ConflictError",
            "IdempotencyError",
            "NoActiveTimerError",
            "NotFoundError",
            "PermissionDeniedError",
            "RateLimitError",
            "ServerError",
            "TeeckinError",
            "TopicAmbiguousError",
            "TopicNotFoundError",
            "TransportError",
            "ValidationError",
            "WebhookVerificationError",
        )
    },
}

if TYPE_CHECKING:
    from teeckin import models
    from teeckin._async import AsyncTeeckin
    from teeckin._core import Call, MemoryTokenStore, Options, Token, TokenStore, __version__
    from teeckin._sync import Teeckin
    from teeckin.errors import (
        APIError,
        AuthenticationError,
        ConflictError,
        IdempotencyError,
        NoActiveTimerError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        TeeckinError,
        TopicAmbiguousError,
        TopicNotFoundError,
        TransportError,
        ValidationError,
        WebhookVerificationError,
    )
    from teeckin.webhooks import verify_webhook


def __getattr__(name: str) -> Any:
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'teeckin' has no attribute {name!r}")
    module = importlib.import_module(source)
    value = module if name == "models" else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "APIError",
    "AsyncTeeckin",
    "AuthenticationError",
    "Call",
    "ConflictError",
    "IdempotencyError",
    "MemoryTokenStore",
    "NoActiveTimerError",
    "NotFoundError",
    "Options",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "Teeckin",
    "TeeckinError",
    "Token",
    "TokenStore",
    "TopicAmbiguousError",
    "TopicNotFoundError",
    "TransportError",
    "ValidationError",
    "WebhookVerificationError",
    "__version__",
    "models",
    "verify_webhook",
]
