from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found

from apps.core.api.exceptions import error_body


@csrf_exempt  # a POST to an unknown API path is a 404, not Django's HTML "CSRF verification failed"
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Catch-all for unknown /api/ paths, so even with DEBUG on the answer is the JSON envelope."""
    return JsonResponse(error_body(f"No API endpoint at {request.path}.", "NOT_FOUND"), status=404)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return page_not_found(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the envelope on /api/ (API clients cannot read Django's HTML page)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(f"CSRF verification failed: {reason}", "CSRF_FAILED"), status=403)
    return django_csrf_failure(request, reason)
