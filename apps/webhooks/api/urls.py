from django.urls import path

from apps.webhooks.api.views import WebhookDetailView, WebhookListView

urlpatterns = [
    path("webhooks", WebhookListView.as_view(), name="webhook-list"),
    path("webhooks/<id:webhook_id>", WebhookDetailView.as_view(), name="webhook-detail"),
]
