from django.urls import path

from apps.clockeye.api import views

# Mounted at /api/ (config/urls.py), at ClockEye's own paths. /api/webhooks is already ClockEye's path.
urlpatterns = [
    path("projects", views.ProjectListView.as_view(), name="projects"),
    path("time-entries", views.TimeEntryListView.as_view(), name="time-entries"),
    path("time-entries/start", views.TimeEntryStartView.as_view(), name="time-entries-start"),
    path("time-entries/stop", views.TimeEntryStopView.as_view(), name="time-entries-stop"),
]
