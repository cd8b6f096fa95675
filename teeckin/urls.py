"""URL map. API paths are explicit; unknown /api/ paths answer with the JSON error envelope."""

from django.contrib import admin
from django.urls import include, path, re_path

from apps.core.api.views import api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("apps.webhooks.api.urls")),
    # Must stay last: everything under /api/ that nothing above matched.
    re_path(r"^api/", api_not_found),
]

handler404 = "apps.core.api.views.handler404"
