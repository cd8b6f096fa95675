"""The API's schema and its Swagger UI (config/urls.py mounts them at /api/)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("v1/schema", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (?script), and our template
    # moves its inline style to a static file: the docs run under the Content-Security-Policy unchanged.
    path(
        "docs",
        SpectacularSwaggerSplitView.as_view(url_name="api-docs:schema", template_name="core/swagger_ui.html"),
        name="docs",
    ),
]
