from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.base import ApiView
from apps.core.api.permissions import IsOrgAdminOrReadOnly
from apps.core.api.schema import READ_ERRORS, WRITE_ERRORS, responses
from apps.core.errors import NotFound
from apps.topics import services
from apps.topics.api.serializers import (
    AgentTopicsOutput,
    CategoryInput,
    CategoryListOutput,
    CategoryOutput,
    TopicCreateInput,
    TopicListOutput,
    TopicOutput,
    TopicsForAgentOutput,
    TopicUpdateInput,
)
from apps.topics.models import Category, Topic
from apps.topics.selectors import topic_of, topics_for_agent, topics_usable


class AgentTopicsView(ApiView):
    @extend_schema(
        operation_id="agent_topics_list",
        summary="List usable topics (flat, with category names)",
        responses=responses({200: AgentTopicsOutput}, *READ_ERRORS),
        tags=["Simple agent endpoints"],
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        topics = topics_usable(organization_id=actor.organization.pk)
        return Response(AgentTopicsOutput({"topics": topics}).data)


class TopicsForAgentView(ApiView):
    @extend_schema(
        operation_id="topics_for_agent",
        summary="Topics grouped by category, with recent usage and the default topic",
        responses=responses({200: TopicsForAgentOutput}, *READ_ERRORS),
        tags=["Topics"],
    )
    def get(self, request: Request) -> Response:
        result = topics_for_agent(actor=self.actor(request))
        body = {
            "categories": [
                {"id": group.category.id, "name": group.category.name, "topics": group.topics}
                for group in result.categories
            ],
            "recentTopicIds": result.recent_topic_ids,
            "defaultTopicId": result.default_topic_id,
            "organizationGuidance": result.guidance,
        }
        return Response(TopicsForAgentOutput(body).data)


def _topic_of(request: Request, view: ApiView, topic_id: str) -> Topic:
    return topic_of(organization_id=view.actor(request).organization.pk, topic_id=topic_id)


def _category_of(request: Request, view: ApiView, category_id: str) -> Category:
    actor = view.actor(request)
    category = Category.objects.filter(organization_id=actor.organization.pk, pk=category_id).first()
    if category is None:
        raise NotFound("Category not found.", code="CATEGORY_NOT_FOUND")
    return category


class TopicListView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="topics_list",
        summary="All topics of the organization, archived ones included",
        responses=responses({200: TopicListOutput}, *READ_ERRORS),
        tags=["Topics"],
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        topics = Topic.objects.filter(organization_id=actor.organization.pk).select_related("category")
        return Response(TopicListOutput({"topics": topics.order_by("name", "id")}).data)

    @extend_schema(
        operation_id="topics_create",
        summary="Create a topic (organization owners and admins)",
        request=TopicCreateInput,
        responses=responses({201: TopicOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Topics"],
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = TopicCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        topic = services.topic_create(
            organization=actor.organization,
            name=data.validated_data["name"],
            category_id=data.validated_data["categoryId"],
            archived=data.validated_data["archived"],
        )
        return Response(TopicOutput(topic).data, status=status.HTTP_201_CREATED)


class TopicDetailView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="topics_retrieve",
        responses=responses({200: TopicOutput}, *READ_ERRORS, 404),
        tags=["Topics"],
    )
    def get(self, request: Request, topic_id: str) -> Response:
        return Response(TopicOutput(_topic_of(request, self, topic_id)).data)

    @extend_schema(
        operation_id="topics_update",
        summary="Rename, move or (un)archive a topic (organization owners and admins)",
        request=TopicUpdateInput,
        responses=responses({200: TopicOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Topics"],
    )
    def patch(self, request: Request, topic_id: str) -> Response:
        topic = _topic_of(request, self, topic_id)
        data = TopicUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        topic = services.topic_update(
            topic=topic,
            name=data.validated_data.get("name"),
            category_id=data.validated_data.get("categoryId"),
            archived=data.validated_data.get("archived"),
        )
        return Response(TopicOutput(topic).data)

    @extend_schema(
        operation_id="topics_destroy",
        summary="Delete a topic without entries (organization owners and admins); archive used ones",
        responses=responses({204: None}, *READ_ERRORS, 404, 409),
        tags=["Topics"],
    )
    def delete(self, request: Request, topic_id: str) -> Response:
        services.topic_delete(topic=_topic_of(request, self, topic_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CategoryListView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="categories_list",
        responses=responses({200: CategoryListOutput}, *READ_ERRORS),
        tags=["Categories"],
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        categories = Category.objects.filter(organization_id=actor.organization.pk).order_by("name", "id")
        return Response(CategoryListOutput({"categories": categories}).data)

    @extend_schema(
        operation_id="categories_create",
        summary="Create a category (organization owners and admins)",
        request=CategoryInput,
        responses=responses({201: CategoryOutput}, *WRITE_ERRORS, 409),
        tags=["Categories"],
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = CategoryInput(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_create(organization=actor.organization, name=data.validated_data["name"])
        return Response(CategoryOutput(category).data, status=status.HTTP_201_CREATED)


class CategoryDetailView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="categories_retrieve",
        responses=responses({200: CategoryOutput}, *READ_ERRORS, 404),
        tags=["Categories"],
    )
    def get(self, request: Request, category_id: str) -> Response:
        return Response(CategoryOutput(_category_of(request, self, category_id)).data)

    @extend_schema(
        operation_id="categories_update",
        summary="Rename a category (organization owners and admins)",
        request=CategoryInput,
        responses=responses({200: CategoryOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Categories"],
    )
    def patch(self, request: Request, category_id: str) -> Response:
        category = _category_of(request, self, category_id)
        data = CategoryInput(data=request.data)
        data.is_valid(raise_exception=True)
        category = services.category_update(category=category, name=data.validated_data["name"])
        return Response(CategoryOutput(category).data)

    @extend_schema(
        operation_id="categories_destroy",
        summary="Delete an empty category (organization owners and admins)",
        responses=responses({204: None}, *READ_ERRORS, 404, 409),
        tags=["Categories"],
    )
    def delete(self, request: Request, category_id: str) -> Response:
        services.category_delete(category=_category_of(request, self, category_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
