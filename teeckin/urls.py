"""URL map. API paths are explicit; unknown /api/ paths answer with the JSON error envelope."""

from django.contrib import admin
from django.urls import include, path, re_path

from apps.agents.api.views import AgentRevokeView, AgentTokenView
from apps.core.api import urls as api_urls
from apps.core.api.views import api_not_found
from apps.ratelimits.decorators import token_endpoint_limited

# DOT's views reverse "oauth2_provider:token", so the token endpoint lives in that namespace.
# Brute-force protection: every attempt counts per IP and per client id before the secret is checked.
oauth2_urlpatterns = (
    [
        path("token", token_endpoint_limited(AgentTokenView.as_view()), name="token"),
        # RFC 7009 revocation authenticates the client as the token endpoint does: the same buckets.
        path("revoke", token_endpoint_limited(AgentRevokeView.as_view()), name="revoke-token"),
    ],
    "oauth2_provider",
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/oauth/", include(oauth2_urlpatterns)),
    path("api/", include("apps.agents.api.urls")),
    # Agent API (apps/core/api/urls.py): simple endpoints, full endpoints, their /api/v1 twin, docs.
    path("api/agent/", include(api_urls.agent, namespace="agent")),
    path("api/v1/", include(api_urls.full, namespace="v1")),
    path("api/", include(api_urls.docs, namespace="api-docs")),
    path("api/", include(api_urls.full, namespace="api")),
    # Must stay last: everything under /api/ that nothing above matched.
    re_path(r"^api/", api_not_found),
]

handler404 = "apps.core.api.views.handler404"
handler400 = "apps.core.api.views.handler400"
