from django.urls import path

from apps.webhooks.api.views import WebhookDetailView, WebhookListView

# Gathered into the agent API's URL map (apps/core/api/urls.py): /api/webhooks and /api/v1/webhooks.
agent_urlpatterns: list = []

urlpatterns = [
    path("webhooks", WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<id:webhook_id>", WebhookDetailView.as_view(), name="webhook-detail"),
]
