"""The one error envelope of the API: ``{"error": str, "code": str, "details": object}``.

Every error on /api/ goes through here: domain errors from services, DRF's own exceptions (validation,
authentication, 404, 405, parse errors), and Django's Http404/PermissionDenied that DRF converts.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.errors import DomainError, error_body

# DRF's lower-case codes mapped to the names our clients see; the rest are upper-cased as they are.
_CODE_NAMES = {
    "invalid": "VALIDATION_ERROR",
    "parse_error": "MALFORMED_REQUEST",
    "not_authenticated": "UNAUTHENTICATED",
    "authentication_failed": "INVALID_TOKEN",
    "throttled": "RATE_LIMITED",
}


def _first_message(detail: Any, path: str = "") -> str:
    """The first human-readable message in a nested DRF error structure, prefixed by its field path."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = key if key != "non_field_errors" else ""
            return _first_message(value, f"{path}.{field}" if path and field else (field or path))
    if isinstance(detail, list) and detail:
        return _first_message(detail[0], path)
    return f"{path}: {detail}" if path else str(detail)


def _validation_details(detail: Any) -> Any:
    if isinstance(detail, list):
        return {"non_field_errors": detail}
    return detail


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response(error_body(exc.message, exc.code, exc.details), status=exc.status_code)
    if isinstance(exc, Ratelimited):
        # django-ratelimit's refusal is a PermissionDenied, which DRF would answer with 403. Left to rise:
        # RateLimitMiddleware answers it with the 429 of the bucket that refused, as for a plain view.
        return None

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # An unexpected error: ApiErrorMiddleware answers it with a JSON 500.

    if isinstance(exc, drf_exceptions.ValidationError):
        message = f"Invalid input: {_first_message(exc.detail)}"
        response.data = error_body(message, "VALIDATION_ERROR", _validation_details(exc.detail))
        return response

    detail = getattr(exc, "detail", None)
    raw_code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    code = getattr(exc, "envelope_code", None) or _CODE_NAMES.get(raw_code, str(raw_code).upper())
    details = getattr(exc, "envelope_details", None)
    response.data = error_body(str(detail) if detail is not None else "Error.", code, details)
    return response


def json_error(request: HttpRequest, message: str, code: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(message, code), status=status)
