"""Django-level answers on /api/: unknown paths, refused requests and last-resort errors, in the envelope."""

import sys

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request, page_not_found, server_error

from apps.core.errors import error_body
from apps.core.middleware import OUTAGE_ERRORS, is_api_path, refused_request, service_unavailable


@csrf_exempt  # a POST to an unknown API path is a 404, not Django's HTML "CSRF verification failed"
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Catch-all for unknown /api/ paths, so even with DEBUG on the answer is the JSON envelope."""
    return JsonResponse(error_body(f"No API endpoint at {request.path}.", "NOT_FOUND"), status=404)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request):
        return api_not_found(request)
    return page_not_found(request, exception)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's answer to a SuspiciousOperation raised outside a view (a bad Host in a middleware)."""
    if is_api_path(request) and isinstance(exception, SuspiciousOperation):
        return refused_request(exception)
    return bad_request(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the envelope on /api/ (API clients cannot read Django's HTML page)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(f"CSRF verification failed: {reason}", "CSRF_FAILED"), status=403)
    return django_csrf_failure(request, reason)


def handler500(request: HttpRequest) -> HttpResponse:
    """Django's last resort, for exceptions outside any view (a middleware's, a lazy session lookup in
    one): ApiErrorMiddleware never sees those. Django calls this inside its ``except``, so the exception
    is at hand: a database outage is a 503 with Retry-After everywhere, anything else on /api/ the
    envelope's 500."""
    error = sys.exc_info()[1]
    if isinstance(error, OUTAGE_ERRORS):
        return service_unavailable(request, error)
    if is_api_path(request):
        return JsonResponse(
            error_body("Internal server error. The error was logged.", "INTERNAL_ERROR"), status=500
        )
    return server_error(request)
