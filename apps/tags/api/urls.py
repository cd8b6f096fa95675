from django.urls import path

from apps.tags.api import views

agent_urlpatterns = [
    path("tags", views.AgentTagsView.as_view(), name="agent-tags"),
]

urlpatterns = [
    path("tags", views.TagListView.as_view(), name="tag-list"),
    path("tags/<id:tag_id>", views.TagDetailView.as_view(), name="tag-detail"),
]
