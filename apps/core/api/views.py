"""Django-level answers on /api/: unknown paths and refused requests, in the envelope."""

import logging

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request, page_not_found

from apps.core.api.exceptions import error_body


def is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


# CSRF-exempt: a POST, PUT, PATCH or DELETE to an unknown path must hear "no such endpoint", not Django's
# HTML "CSRF verification failed" (API clients send no CSRF token; every API view is exempt too).
@csrf_exempt
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Catch-all for unknown /api/ paths, so even with DEBUG on the answer is the JSON envelope."""
    return JsonResponse(error_body(f"No API endpoint at {request.path}.", "NOT_FOUND"), status=404)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request):
        return api_not_found(request)
    return page_not_found(request, exception)


# What Django raises, while reading a request, for a request that is the client's fault.
REFUSED_REQUEST_ERRORS = (SuspiciousOperation, MultiPartParserError)


def refused_request(exception: Exception) -> JsonResponse:
    """The envelope for a request Django refuses (a "suspicious operation", its status kept: 400, or a
    multipart body it cannot parse), except a body over DATA_UPLOAD_MAX_MEMORY_SIZE: HTTP names it 413."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return JsonResponse(
            error_body(f"The request body is over the limit of {limit} bytes.", "PAYLOAD_TOO_LARGE"),
            status=413,
        )
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        message, code = f"Too many parameters or form fields (at most {limit}).", "TOO_MANY_FIELDS"
    elif isinstance(exception, DisallowedHost):
        message, code = "The Host header names a host this server does not serve.", "BAD_HOST"
    elif isinstance(exception, MultiPartParserError):
        message, code = f"The multipart body could not be parsed: {exception}", "MALFORMED_REQUEST"
    else:
        message, code = "The request was refused as malformed.", "BAD_REQUEST"
    return JsonResponse(error_body(message, code), status=400)


def refused_request_log(request: HttpRequest, exception: Exception) -> None:
    # As Django logs them itself, so the security log sees refusals whichever code path answered.
    logging.getLogger(f"django.security.{exception.__class__.__name__}").error(
        str(exception), exc_info=exception, extra={"status_code": 400, "request": request}
    )


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's answer to a SuspiciousOperation raised outside a view (a bad Host in a middleware)."""
    if is_api_path(request) and isinstance(exception, SuspiciousOperation):
        return refused_request(exception)
    return bad_request(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the envelope on /api/ (API clients cannot read Django's HTML page)."""
    if is_api_path(request):
        return JsonResponse(error_body(f"CSRF verification failed: {reason}", "CSRF_FAILED"), status=403)
    return django_csrf_failure(request, reason)
