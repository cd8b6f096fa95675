from django.urls import path

from apps.topics.api import views

agent_urlpatterns = [
    path("topics", views.AgentTopicsView.as_view(), name="agent-topics"),
]

urlpatterns = [
    path("topics/for-agent", views.TopicsForAgentView.as_view(), name="topics-for-agent"),
    path("topics", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<id:topic_id>", views.TopicDetailView.as_view(), name="topic-detail"),
    path("categories", views.CategoryListView.as_view(), name="category-list"),
    path("categories/<id:category_id>", views.CategoryDetailView.as_view(), name="category-detail"),
]
