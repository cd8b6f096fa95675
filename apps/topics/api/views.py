from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.agents.api.base import ApiView
from apps.core.api.schema import READ_ERRORS, WRITE_ERRORS, responses
from apps.core.errors import NotFound
from apps.organizations.permissions import IsOrgAdminOrReadOnly
from apps.topics import services
from apps.topics.api.serializers import (
    AgentTopicsOutput,
    CategoryInput,
    CategoryListOutput,
    CategoryOutput,
    TopicAliasInput,
    TopicAliasListOutput,
    TopicAliasOutput,
    TopicCreateInput,
    TopicListOutput,
    TopicOutput,
    TopicRepositoryInput,
    TopicRepositoryListOutput,
    TopicRepositoryOutput,
    TopicResolveOutput,
    TopicResolveQuery,
    TopicsForAgentOutput,
    TopicUpdateInput,
)
from apps.topics.models import Category, Topic, TopicAlias, TopicRepository
from apps.topics.selectors import topic_of, topic_resolve_explain, topics_for_agent, topics_usable


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


# --- Dry-run resolution -------------------------------------------------------------------------------


def _resolve_body(request: Request, view: ApiView) -> dict[str, Any]:
    """What a timer start would decide, with the rule and the candidates; writes nothing."""
    organization = view.actor(request).organization
    query = view.query_data(request)
    explained = topic_resolve_explain(
        organization=organization,
        query=query.get("q"),
        repository=query.get("repository"),
    )
    error = explained.error
    return {
        "query": explained.query,
        "repository": explained.repository,
        "resolved": explained.resolved,
        "topic": explained.topic,
        "rule": explained.rule,
        "score": explained.score,
        "candidates": explained.candidates,
        "bindings": explained.bindings,
        "error": None
        if error is None
        else {"error": error.message, "code": error.code, "details": error.details},
    }


class AgentTopicResolveView(ApiView):
    query_serializers = {"get": TopicResolveQuery}  # also the published parameters

    @extend_schema(
        operation_id="agent_topics_resolve",
        summary="Dry run: which topic a timer start would pick for q (or a repository), and why",
        responses=responses({200: TopicResolveOutput}, *READ_ERRORS, 400),
        tags=["Simple agent endpoints"],
    )
    def get(self, request: Request) -> Response:
        return Response(TopicResolveOutput(_resolve_body(request, self)).data)


class TopicResolveView(ApiView):
    query_serializers = {"get": TopicResolveQuery}  # also the published parameters

    @extend_schema(
        operation_id="topics_resolve",
        summary="Dry run: which topic a timer start would pick for q (or a repository), and why",
        responses=responses({200: TopicResolveOutput}, *READ_ERRORS, 400),
        tags=["Topics"],
    )
    def get(self, request: Request) -> Response:
        return Response(TopicResolveOutput(_resolve_body(request, self)).data)


# --- Aliases and repository bindings (organization owners and admins write) ---------------------------


def _alias_of(request: Request, view: ApiView, topic_id: str, alias_id: str) -> TopicAlias:
    alias = _topic_of(request, view, topic_id).aliases.filter(pk=alias_id).first()
    if alias is None:
        raise NotFound("Alias not found.", code="ALIAS_NOT_FOUND")
    return alias


def _binding_of(request: Request, view: ApiView, topic_id: str, binding_id: str) -> TopicRepository:
    binding = _topic_of(request, view, topic_id).repositories.filter(pk=binding_id).first()
    if binding is None:
        raise NotFound("Repository binding not found.", code="REPOSITORY_BINDING_NOT_FOUND")
    return binding


class TopicAliasListView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="topic_aliases_list",
        summary="The topic's aliases (extra names matched like its name)",
        responses=responses({200: TopicAliasListOutput}, *READ_ERRORS, 404),
        tags=["Topics"],
    )
    def get(self, request: Request, topic_id: str) -> Response:
        topic = _topic_of(request, self, topic_id)
        return Response(TopicAliasListOutput({"aliases": topic.aliases.order_by("name", "id")}).data)

    @extend_schema(
        operation_id="topic_aliases_create",
        summary="Give the topic an alias (organization owners and admins)",
        request=TopicAliasInput,
        responses=responses({201: TopicAliasOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Topics"],
    )
    def post(self, request: Request, topic_id: str) -> Response:
        topic = _topic_of(request, self, topic_id)
        data = TopicAliasInput(data=request.data)
        data.is_valid(raise_exception=True)
        alias = services.topic_alias_create(topic=topic, name=data.validated_data["name"])
        return Response(TopicAliasOutput(alias).data, status=status.HTTP_201_CREATED)


class TopicAliasDetailView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="topic_aliases_retrieve",
        responses=responses({200: TopicAliasOutput}, *READ_ERRORS, 404),
        tags=["Topics"],
    )
    def get(self, request: Request, topic_id: str, alias_id: str) -> Response:
        return Response(TopicAliasOutput(_alias_of(request, self, topic_id, alias_id)).data)

    @extend_schema(
        operation_id="topic_aliases_update",
        summary="Rename an alias (organization owners and admins)",
        request=TopicAliasInput,
        responses=responses({200: TopicAliasOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Topics"],
    )
    def patch(self, request: Request, topic_id: str, alias_id: str) -> Response:
        alias = _alias_of(request, self, topic_id, alias_id)
        data = TopicAliasInput(data=request.data)
        data.is_valid(raise_exception=True)
        alias = services.topic_alias_update(alias=alias, name=data.validated_data["name"])
        return Response(TopicAliasOutput(alias).data)

    @extend_schema(
        operation_id="topic_aliases_destroy",
        summary="Remove an alias (organization owners and admins)",
        responses=responses({204: None}, *READ_ERRORS, 404),
        tags=["Topics"],
    )
    def delete(self, request: Request, topic_id: str, alias_id: str) -> Response:
        services.topic_alias_delete(alias=_alias_of(request, self, topic_id, alias_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TopicRepositoryListView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="topic_repositories_list",
        summary="Repository names and patterns bound to the topic",
        responses=responses({200: TopicRepositoryListOutput}, *READ_ERRORS, 404),
        tags=["Topics"],
    )
    def get(self, request: Request, topic_id: str) -> Response:
        topic = _topic_of(request, self, topic_id)
        bindings = topic.repositories.order_by("pattern", "id")
        return Response(TopicRepositoryListOutput({"repositories": bindings}).data)

    @extend_schema(
        operation_id="topic_repositories_create",
        summary="Bind a repository name or glob pattern to the topic (organization owners and admins)",
        request=TopicRepositoryInput,
        responses=responses({201: TopicRepositoryOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Topics"],
    )
    def post(self, request: Request, topic_id: str) -> Response:
        topic = _topic_of(request, self, topic_id)
        data = TopicRepositoryInput(data=request.data)
        data.is_valid(raise_exception=True)
        binding = services.topic_repository_add(topic=topic, pattern=data.validated_data["pattern"])
        return Response(TopicRepositoryOutput(binding).data, status=status.HTTP_201_CREATED)


class TopicRepositoryDetailView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="topic_repositories_retrieve",
        responses=responses({200: TopicRepositoryOutput}, *READ_ERRORS, 404),
        tags=["Topics"],
    )
    def get(self, request: Request, topic_id: str, binding_id: str) -> Response:
        return Response(TopicRepositoryOutput(_binding_of(request, self, topic_id, binding_id)).data)

    @extend_schema(
        operation_id="topic_repositories_destroy",
        summary="Remove a repository binding (organization owners and admins)",
        responses=responses({204: None}, *READ_ERRORS, 404),
        tags=["Topics"],
    )
    def delete(self, request: Request, topic_id: str, binding_id: str) -> Response:
        services.topic_repository_delete(binding=_binding_of(request, self, topic_id, binding_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
