from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from apps.web.timezones import timezone_of


class PersonTimezoneMiddleware:
    """Pages and their forms speak the signed-in person's timezone; the API stays in UTC."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") or not request.user.is_authenticated:
            return self.get_response(request)
        timezone.activate(ZoneInfo(timezone_of(request)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
