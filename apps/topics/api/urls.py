from django.urls import path

from apps.topics.api import views

agent_urlpatterns = [
    path("topics", views.AgentTopicsView.as_view(), name="agent-topics"),
    path("topics/resolve", views.AgentTopicResolveView.as_view(), name="agent-topic-resolve"),
]

urlpatterns = [
    path("topics/for-agent", views.TopicsForAgentView.as_view(), name="topics-for-agent"),
    # Before topics/<topic_id>, which would take "resolve" for an id.
    path("topics/resolve", views.TopicResolveView.as_view(), name="topic-resolve"),
    path("topics", views.TopicListView.as_view(), name="topic-list"),
    path("topics/<id:topic_id>", views.TopicDetailView.as_view(), name="topic-detail"),
    path("topics/<id:topic_id>/aliases", views.TopicAliasListView.as_view(), name="topic-alias-list"),
    path(
        "topics/<id:topic_id>/aliases/<id:alias_id>",
        views.TopicAliasDetailView.as_view(),
        name="topic-alias-detail",
    ),
    path(
        "topics/<id:topic_id>/repositories",
        views.TopicRepositoryListView.as_view(),
        name="topic-repository-list",
    ),
    path(
        "topics/<id:topic_id>/repositories/<id:binding_id>",
        views.TopicRepositoryDetailView.as_view(),
        name="topic-repository-detail",
    ),
    path("categories", views.CategoryListView.as_view(), name="category-list"),
    path("categories/<id:category_id>", views.CategoryDetailView.as_view(), name="category-detail"),
]
