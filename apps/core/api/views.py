from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found

from apps.core.api.exceptions import error_body


def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Catch-all for unknown /api/ paths, so even with DEBUG on the answer is the JSON envelope."""
    return JsonResponse(error_body(f"No API endpoint at {request.path}.", "NOT_FOUND"), status=404)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request)
    return page_not_found(request, exception)
