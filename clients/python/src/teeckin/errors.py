"""The SDK's exceptions: one class per family of the API's error codes.

Every error answer of the API is the envelope ``{"error", "code", "details"}``; the token endpoint answers
in OAuth's shape (``{"error", "error_description"}``). Both become an ``APIError`` subclass carrying
``status_code``, ``code``, ``message`` and ``details``. The class is chosen by code first (so a
``TOPIC_NOT_FOUND`` is a ``TopicNotFoundError``) and by HTTP status otherwise, so codes the server adds
later still land in the right family.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TeeckinError(Exception):
    """Base class of everything this SDK raises."""


class TransportError(TeeckinError):
    """The server could not be reached or the connection failed (after the retries allowed)."""


class WebhookVerificationError(TeeckinError):
    """A webhook request's signature is missing, wrong or too old."""


class APIError(TeeckinError):
    """The server answered with an error status."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{message} ({code}, HTTP {status_code})")
        self.message = message
        self.status_code = status_code
        self.code = code
        self.details: Any = details if details is not None else {}
        self.headers: Mapping[str, str] = headers or {}


class ValidationError(APIError):
    """400 or 415: the request was refused as it stands (wrong fields, types, ranges); nothing written."""


class AuthenticationError(APIError):
    """401 (UNAUTHENTICATED, INVALID_TOKEN), or the token endpoint refused the client credentials."""


class PermissionDeniedError(APIError):
    """403: agent deactivated, secret revoked, token lacks a scope, or the owner's role does not allow it."""


class NotFoundError(APIError):
    """404: not found in the caller's organization (another organization's ids are reported missing)."""


class TopicNotFoundError(NotFoundError):
    """No topic matched; ``candidates`` lists the closest ones."""

    @property
    def candidates(self) -> list[dict[str, Any]]:
        return list(self.details.get("candidates", [])) if isinstance(self.details, dict) else []


class NoActiveTimerError(NotFoundError):
    """Stop, notes or tags with no timer running."""


class ConflictError(APIError):
    """409: conflicts with the current state (ambiguous or archived topic, overlap, name taken, in use)."""


class TopicAmbiguousError(ConflictError):
    """Several topics matched equally well; ``candidates`` lists them."""

    @property
    def candidates(self) -> list[dict[str, Any]]:
        return list(self.details.get("candidates", [])) if isinstance(self.details, dict) else []


class IdempotencyError(APIError):
    """An Idempotency-Key was reused with another body (422) or its first request is still running (409)."""


class RateLimitError(APIError):
    """429: over a rate limit or the plan's quota, after the retries allowed."""

    @property
    def retry_after(self) -> float | None:
        if isinstance(self.details, dict) and isinstance(self.details.get("retryAfter"), int | float):
            return float(self.details["retryAfter"])
        value = self.headers.get("retry-after")
        return float(value) if value and value.isdigit() else None


class ServerError(APIError):
    """5xx: the server failed; the request may be retried."""


_BY_CODE: dict[str, type[APIError]] = {
    "TOPIC_NOT_FOUND": TopicNotFoundError,
    "NO_ACTIVE_TIMER": NoActiveTimerError,
    "TOPIC_AMBIGUOUS": TopicAmbiguousError,
    "IDEMPOTENCY_KEY_REUSED": IdempotencyError,
    "IDEMPOTENCY_KEY_IN_PROGRESS": IdempotencyError,
    "RATE_LIMITED": RateLimitError,
    # OAuth's codes at the token endpoint (RFC 6749 §5.2).
    "invalid_client": AuthenticationError,
    "invalid_request": ValidationError,
    "invalid_scope": ValidationError,
    "unsupported_grant_type": ValidationError,
}

_BY_STATUS: dict[int, type[APIError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    415: ValidationError,
    422: ValidationError,
    429: RateLimitError,
}


def error_from_response(status_code: int, body: Any, headers: Mapping[str, str]) -> APIError:
    """The exception for an error answer, whatever its body (envelope, OAuth error, or not JSON)."""
    if isinstance(body, dict) and "code" in body:
        code, message, details = str(body["code"]), str(body.get("error", "")), body.get("details")
    elif isinstance(body, dict) and isinstance(body.get("error"), str):
        # OAuth's shape; error_description is optional (RFC 6749 §5.2).
        code, message, details = body["error"], str(body.get("error_description") or body["error"]), {}
    else:
        code, message, details = f"HTTP_{status_code}", f"The server answered HTTP {status_code}.", {}
    cls = _BY_CODE.get(code) or _BY_STATUS.get(status_code)
    if cls is None:
        cls = ServerError if status_code >= 500 else APIError
    return cls(message, status_code=status_code, code=code, details=details, headers=headers)
