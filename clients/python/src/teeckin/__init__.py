"""Python SDK for the Teeckin time-tracking API.

from teeckin import Teeckin
client = Teeckin(base_url="https://teeckin.example.com", api_key="tak_…")
client.timer.start(topic="Research")
"""

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
