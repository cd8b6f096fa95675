"""Thin real DRF views standing in for the agent API (not on main yet): the point is the mechanism."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from oauth2_provider.views import TokenView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.views import api_not_found
from apps.ratelimits.decorators import token_endpoint_limited


class ThingsView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response({"ok": True})

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        return Response({"ok": True}, status=201)


class TimerStartView(APIView):
    throttle_scope = "timer"

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        return Response({"started": True})


class PublicView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response({"public": True})


class RefusedByLibraryView(APIView):
    """Raises django-ratelimit's own refusal, as its @ratelimit decorator would."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        raise Ratelimited()


@ratelimit(group="tests.plain", key="ip", rate="1/m")
def plain_view(request: HttpRequest) -> JsonResponse:
    """A plain Django view limited by django-ratelimit's own decorator."""
    return JsonResponse({"ok": True})


urlpatterns = [
    path("api/test/things", ThingsView.as_view()),
    path("api/test/timer/start", TimerStartView.as_view()),
    path("api/test/public", PublicView.as_view()),
    path("api/test/refused", RefusedByLibraryView.as_view()),
    path("api/test/plain", plain_view),
    # Where and how the real route is mounted (inside DOT's namespace, so its views can reverse it).
    path(
        "api/oauth/",
        include(
            ([path("token", token_endpoint_limited(TokenView.as_view()), name="token")], "oauth2_provider")
        ),
    ),
    re_path(r"^api/", api_not_found),
]
