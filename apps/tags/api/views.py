from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from apps.agents.api.base import ApiView
from apps.core.api.schema import READ_ERRORS, WRITE_ERRORS, responses
from apps.core.errors import NotFound
from apps.organizations.permissions import IsOrgAdminOrReadOnly
from apps.tags import services
from apps.tags.api.serializers import AgentTagsOutput, TagInput, TagListOutput, TagOutput
from apps.tags.models import Tag


class AgentTagsView(ApiView):
    @extend_schema(
        operation_id="agent_tags_list",
        summary="List the organization's tags",
        responses=responses({200: AgentTagsOutput}, *READ_ERRORS),
        tags=["Simple agent endpoints"],
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        tags = Tag.objects.filter(organization_id=actor.organization.pk).order_by("name", "id")
        return Response(AgentTagsOutput({"tags": tags}).data)


def _tag_of(request: Request, view: ApiView, tag_id: str) -> Tag:
    actor = view.actor(request)
    tag = Tag.objects.filter(organization_id=actor.organization.pk, pk=tag_id).first()
    if tag is None:
        raise NotFound("Tag not found.", code="TAG_NOT_FOUND")
    return tag


class TagListView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="tags_list", responses=responses({200: TagListOutput}, *READ_ERRORS), tags=["Tags"]
    )
    def get(self, request: Request) -> Response:
        actor = self.actor(request)
        tags = Tag.objects.filter(organization_id=actor.organization.pk).order_by("name", "id")
        return Response(TagListOutput({"tags": tags}).data)

    @extend_schema(
        operation_id="tags_create",
        summary="Create a tag (organization owners and admins)",
        request=TagInput,
        responses=responses({201: TagOutput}, *WRITE_ERRORS, 409),
        tags=["Tags"],
    )
    def post(self, request: Request) -> Response:
        actor = self.actor(request)
        data = TagInput(data=request.data)
        data.is_valid(raise_exception=True)
        tag = services.tag_create(organization=actor.organization, name=data.validated_data["name"])
        return Response(TagOutput(tag).data, status=status.HTTP_201_CREATED)


class TagDetailView(ApiView):
    permission_classes = [*ApiView.permission_classes, IsOrgAdminOrReadOnly]

    @extend_schema(
        operation_id="tags_retrieve", responses=responses({200: TagOutput}, *READ_ERRORS, 404), tags=["Tags"]
    )
    def get(self, request: Request, tag_id: str) -> Response:
        return Response(TagOutput(_tag_of(request, self, tag_id)).data)

    @extend_schema(
        operation_id="tags_update",
        summary="Rename a tag (organization owners and admins)",
        request=TagInput,
        responses=responses({200: TagOutput}, *WRITE_ERRORS, 404, 409),
        tags=["Tags"],
    )
    def patch(self, request: Request, tag_id: str) -> Response:
        tag = _tag_of(request, self, tag_id)
        data = TagInput(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(TagOutput(services.tag_update(tag=tag, name=data.validated_data["name"])).data)

    @extend_schema(
        operation_id="tags_destroy",
        summary="Delete a tag; entries lose it (organization owners and admins)",
        responses=responses({204: None}, *READ_ERRORS, 404),
        tags=["Tags"],
    )
    def delete(self, request: Request, tag_id: str) -> Response:
        services.tag_delete(tag=_tag_of(request, self, tag_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
