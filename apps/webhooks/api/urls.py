from django.urls import path

from apps.webhooks.api.views import WebhookDetailView, WebhookListView

app_name = "webhooks"

urlpatterns = [
    path("webhooks", WebhookListView.as_view(), name="list"),
    path("webhooks/<str:webhook_id>", WebhookDetailView.as_view(), name="detail"),
]
