"""Views the product does not have, for what the real endpoints cannot show: django-ratelimit's own
refusal (its ``@ratelimit`` decorator, should a view use it) answered as our 429, in a DRF view and in a
plain Django view. Everything else is tested on the real API."""

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import api_not_found


class RefusedByLibraryView(APIView):
    """Raises django-ratelimit's own refusal, as its @ratelimit decorator would."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        raise Ratelimited()


@ratelimit(group="tests.plain", key="ip", rate="1/m")
def plain_view(request: HttpRequest) -> JsonResponse:
    """A plain Django view limited by django-ratelimit's own decorator."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("api/test/refused", RefusedByLibraryView.as_view()),
    path("api/test/plain", plain_view),
    re_path(r"^api/", api_not_found),
]
