"""JSON answers for errors that happen outside DRF's views on API paths (never an HTML page there)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import (
    DisallowedHost,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import patch_cache_control

from apps.core.errors import error_body

logger = logging.getLogger("teeckin.api")


# The database refused, dropped or did not answer the connection or a statement (statement_timeout,
# the client deadline of apps.core.postgresql): an outage to retry, not a bug. IntegrityError, DataError
# and the like stay 500s.
OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


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


class ApiBodyGuardMiddleware:
    """Refuses, before anything reads it, an /api/ request body the API could not read whole.

    A ``Transfer-Encoding: chunked`` body has no Content-Length. Django's WSGI request then reads zero
    bytes (under the dev server and gunicorn alike) and DRF skips the body for the same reason under
    ASGI, so the request would be answered as if it had none ("field is required"). Clients can always
    send a length: 411 Length Required says so. A declared length over DATA_UPLOAD_MAX_MEMORY_SIZE is 413
    at once; DRF's JSON parser reads the stream without Django's size check.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request):
            if "HTTP_TRANSFER_ENCODING" in request.META:
                message = (
                    "Send the body with a Content-Length header; chunked transfer encoding is not accepted."
                )
                return JsonResponse(error_body(message, "LENGTH_REQUIRED"), status=411)
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0  # Django's own parsing treats it the same way
            if limit is not None and length > limit:
                return refused_request(RequestDataTooBig(f"Content-Length {length} is over {limit}."))
        return self.get_response(request)


def service_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After: the envelope on /api/, plain text elsewhere (the admin)."""
    logger.warning("Database unavailable on %s %s: %s", request.method, request.path, error)
    _discard_broken_connections()
    message = "The service is temporarily unavailable (its database cannot be reached). Retry shortly."
    if is_api_path(request):
        response: HttpResponse = JsonResponse(
            error_body(message, "SERVICE_UNAVAILABLE", {"retryAfter": RETRY_AFTER_SECONDS}), status=503
        )
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ApiTransportMiddleware:
    """What every /api/ answer carries, and plain HTTP refused there. Goes right after Django's
    SecurityMiddleware (its SSL redirect exempts /api/: SECURE_REDIRECT_EXEMPT) and whitenoise.

    - Over plain HTTP when HTTPS is required (``SECURE_SSL_REDIRECT``), /api/ answers 403
      ``HTTPS_REQUIRED`` instead of redirecting: a redirect would come after the client's credential
      (token, client secret, API key) already crossed the network in clear, and would teach clients
      to keep sending it that way.
    - JSON answers get ``Cache-Control: no-store``: they carry a user's data or tokens, and no cache
      (browser, proxy) may keep them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api_path(request):
            return self.get_response(request)
        if settings.SECURE_SSL_REDIRECT and not request.is_secure():
            response: HttpResponse = JsonResponse(
                error_body(
                    "HTTPS is required: this request was refused, not redirected. If it carried a "
                    "credential, consider that credential exposed and rotate it.",
                    "HTTPS_REQUIRED",
                ),
                status=403,
            )
        else:
            response = self.get_response(request)
        if response.get("Content-Type", "").startswith("application/json"):
            patch_cache_control(response, no_store=True)
        return response


def _discard_broken_connections() -> None:
    """Close a connection the outage broke, so the next request connects afresh (recovery without a
    restart). Django does this when a request finishes, but not for every server (its test client
    skips it). Cheap: a timed-out connection was already closed by apps.core.postgresql, a dropped one
    fails its check at once."""
    for conn in connections.all(initialized_only=True):
        if conn.errors_occurred and not conn.in_atomic_block and not conn.is_usable():
            conn.close()


class ApiErrorMiddleware:
    """Turns an unhandled exception on /api/ into the error envelope with status 500, or 503
    ``SERVICE_UNAVAILABLE`` with ``Retry-After`` when the database is down or does not answer.

    Django would render its HTML error page (or, with DEBUG on, the technical page with settings in it).
    The exception is still logged and still signalled, so the test client re-raises it in tests.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_api_path(request):
            return None
        # Django's own "expected" exceptions raised outside DRF views keep their meaning.
        if isinstance(exception, Http404):
            return JsonResponse(error_body("Not found.", "NOT_FOUND"), status=404)
        if isinstance(exception, PermissionDenied):
            return JsonResponse(error_body("You do not have permission to do this.", "FORBIDDEN"), status=403)
        if isinstance(exception, OUTAGE_ERRORS):
            # Expected while the database is away: logged as a warning, not signalled as a crash.
            return service_unavailable(request, exception)
        # The client's fault: too many fields, a body too big, a broken multipart body.
        if isinstance(exception, REFUSED_REQUEST_ERRORS):
            refused_request_log(request, exception)
            return refused_request(exception)
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        got_request_exception.send(sender=self.__class__, request=request)
        return JsonResponse(
            error_body("Internal server error. The error was logged.", "INTERNAL_ERROR"), status=500
        )
