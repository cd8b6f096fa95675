"""The agent API's URL map, gathered from the apps.

``agent`` holds the simple endpoints (mounted at /api/agent/); ``full`` the full ones, mounted twice:
at /api/ as the spec shows them and at /api/v1/, the stable, documented surface.
"""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from apps.clocked_times.api import urls as clocked_times
from apps.tags.api import urls as tags
from apps.timer.api import urls as timer
from apps.topics.api import urls as topics
from apps.webhooks.api import urls as webhooks

_apps = (timer, topics, tags, clocked_times, webhooks)

agent = ([p for app in _apps for p in app.agent_urlpatterns], "agent")
full = ([p for app in _apps for p in app.urlpatterns], "api")

docs_urlpatterns = [
    path("v1/schema", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file of its own (?script), and our template
    # moves its inline style to a static file: the docs run under the Content-Security-Policy unchanged.
    path(
        "docs",
        SpectacularSwaggerSplitView.as_view(url_name="api-docs:schema", template_name="core/swagger_ui.html"),
        name="docs",
    ),
]
docs = (docs_urlpatterns, "api-docs")
