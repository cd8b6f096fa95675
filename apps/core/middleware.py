"""JSON answers for errors that happen outside DRF's views on API paths (never an HTML page there)."""

import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

from apps.core.api.exceptions import error_body

logger = logging.getLogger("teeckin.api")


def is_api_path(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


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
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        got_request_exception.send(sender=self.__class__, request=request)
        return JsonResponse(
            error_body("Internal server error. The error was logged.", "INTERNAL_ERROR"), status=500
        )
