"""URL map. API paths are explicit; unknown /api/ paths answer with the JSON error envelope."""

from django.contrib import admin
from django.urls import include, path, re_path, reverse_lazy

from apps.agents import oauth_views
from apps.agents.api.views import AgentRevokeView, AgentTokenView
from apps.clocked_times.api import urls as clocked_times_api
from apps.clockeye.api import urls as clockeye_api
from apps.core.api import urls as api_docs
from apps.core.api.views import api_not_found
from apps.ratelimits.decorators import token_endpoint_limited
from apps.tags.api import urls as tags_api
from apps.timer.api import urls as timer_api
from apps.topics.api import urls as topics_api
from apps.web.views.accounts import SignInView
from apps.webhooks.api import urls as webhooks_api

# DOT's views reverse "oauth2_provider:<name>" (the metadata documents name every endpoint), so all OAuth
# endpoints live in that one namespace, mounted at the root with their full paths. Brute-force protection:
# every token request counts per IP and per client id before the secret is checked; registrations per IP.
oauth2_urlpatterns = (
    [
        path("api/oauth/token", token_endpoint_limited(AgentTokenView.as_view()), name="token"),
        # RFC 7009 revocation authenticates the client as the token endpoint does: the same buckets.
        path("api/oauth/revoke", token_endpoint_limited(AgentRevokeView.as_view()), name="revoke-token"),
        path(
            "api/oauth/register",
            oauth_views.registration_limited(oauth_views.RegistrationView.as_view()),
            name="dcr-register",
        ),
        path(
            "api/oauth/register/<id:client_id>",
            oauth_views.RegistrationManagementView.as_view(),
            name="dcr-register-management",
        ),
        # The consent page is a browser page, so it lives outside /api/ (JSON only there).
        path("oauth/authorize/", oauth_views.ConsentView.as_view(), name="authorize"),
        path(
            ".well-known/oauth-authorization-server",
            oauth_views.AuthorizationServerMetadataView.as_view(),
            name="oauth-server-metadata",
        ),
        path(
            ".well-known/oauth-protected-resource",
            oauth_views.McpResourceMetadataView.as_view(),
            name="oauth-resource-metadata",
        ),
        path(
            ".well-known/oauth-protected-resource/mcp",
            oauth_views.McpResourceMetadataView.as_view(),
            name="oauth-resource-metadata-path",
        ),
    ],
    "oauth2_provider",
)

# The simple endpoints an agent calls, mounted at /api/agent/.
agent_api = [
    path("", include(timer_api.agent_urlpatterns)),
    path("", include(topics_api.agent_urlpatterns)),
    path("", include(tags_api.agent_urlpatterns)),
    path("", include(clocked_times_api.agent_urlpatterns)),
]

# The full API, mounted twice: at /api/ as the spec shows it and at /api/v1/, the stable, documented surface.
full_api = [
    path("", include(timer_api.urlpatterns)),
    path("", include(topics_api.urlpatterns)),
    path("", include(tags_api.urlpatterns)),
    path("", include(clocked_times_api.urlpatterns)),
    path("", include(webhooks_api.urlpatterns)),
]

# The admin's "View site": the people's pages.
admin.site.site_url = reverse_lazy("web:dashboard")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include(oauth2_urlpatterns)),
    path("api/", include("apps.agents.api.urls")),
    path("api/agent/", include((agent_api, "agent"), namespace="agent")),
    path("api/v1/", include((full_api, "api"), namespace="v1")),
    path("api/", include((api_docs.urlpatterns, "api-docs"), namespace="api-docs")),
    path("api/", include((full_api, "api"), namespace="api")),
    # ClockEye's paths, so integrations written for ClockEye work unchanged (README "ClockEye compatibility").
    path("api/", include((clockeye_api.urlpatterns, "clockeye"), namespace="clockeye")),
    # Must stay last among /api/ paths: everything under /api/ that nothing above matched.
    re_path(r"^api/", api_not_found),
    # The people's pages: sign in (with the browser's timezone; the browser-OAuth consent sends people
    # here too), Django's other auth views, then the app.
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("apps.web.urls")),
]

handler404 = "apps.core.api.views.handler404"
handler400 = "apps.core.api.views.handler400"
handler500 = "apps.core.api.views.handler500"
