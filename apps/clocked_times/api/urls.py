from django.urls import path

from apps.clocked_times.api import views

agent_urlpatterns = [
    path("time", views.AgentTimeView.as_view(), name="agent-time"),
]

urlpatterns = [
    path("clocked-times", views.ClockedTimeListView.as_view(), name="clocked-time-list"),
    path("reports/summary", views.ReportSummaryView.as_view(), name="reports-summary"),
    path("clocked-times/<id:entry_id>", views.ClockedTimeDetailView.as_view(), name="clocked-time-detail"),
]
