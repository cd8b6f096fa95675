"""The product's URLconf plus the bare views, for benchmarks/http_vs_bare.py only."""

from django.urls import include, path

from benchmarks.bare import views

urlpatterns = [
    path("bare/timer", views.bare_timer_status),
    path("bare/timer/start", views.bare_timer_start),
    path("bare/timer/stop", views.bare_timer_stop),
    path("bare/token", views.bare_token),
    path("", include("config.urls")),
]
