"""JSON answers for errors that happen outside DRF's views on API paths (never an HTML page there)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from apps.core.api.exceptions import error_body
from apps.core.api.views import REFUSED_REQUEST_ERRORS, is_api_path, refused_request, refused_request_log

logger = logging.getLogger("teeckin.api")

__all__ = ["ApiBodyGuardMiddleware", "ApiErrorMiddleware", "is_api_path"]


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


class ApiErrorMiddleware:
    """Turns an unhandled exception on /api/ into the error envelope with status 500.

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
        # The client's fault: too many fields, a body too big, a broken multipart body.
        if isinstance(exception, REFUSED_REQUEST_ERRORS):
            refused_request_log(request, exception)
            return refused_request(exception)
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        got_request_exception.send(sender=self.__class__, request=request)
        return JsonResponse(
            error_body("Internal server error. The error was logged.", "INTERNAL_ERROR"), status=500
        )
