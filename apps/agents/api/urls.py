from django.urls import path

from apps.agents.api.views import AgentMeView

app_name = "agents_api"

urlpatterns = [
    path("agent/me", AgentMeView.as_view(), name="me"),
]
