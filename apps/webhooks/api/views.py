"""Webhook subscriptions: for an organization's owners and admins, within their own organization. Reading
is admin-only too: endpoint URLs can carry tokens of the receiving service.

An agent needs both an owner who is an owner or admin and a token with the "webhooks" scope (so an
admin's ordinary time-tracking agent cannot touch webhooks); personal API keys and browser sessions of
admins need only the role."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.agents.api.base import ApiView
from apps.core.api.schema import READ_ERRORS, WRITE_ERRORS, responses
from apps.core.errors import Forbidden, NotFound
from apps.organizations.actor import Actor, actor_from_request
from apps.webhooks import subscriptions
from apps.webhooks.api.serializers import (
    WebhookCreatedOutput,
    WebhookCreateInput,
    WebhookListOutput,
    WebhookOutput,
    WebhookUpdateInput,
)
from apps.webhooks.models import WebhookEndpoint


def _admin_actor(request: Request) -> Actor:
    actor = actor_from_request(request)
    if not actor.is_org_admin:
        raise Forbidden("Only the organization's owners and admins manage webhooks.", code="ADMIN_REQUIRED")
    return actor


def _endpoint_get(actor: Actor, webhook_id: str) -> WebhookEndpoint:
    # Another organization's endpoint is reported as missing: its existence is not ours to reveal.
    endpoint = WebhookEndpoint.objects.filter(pk=webhook_id, organization=actor.organization).first()
    if endpoint is None:
        raise NotFound("Webhook not found.", code="WEBHOOK_NOT_FOUND")
    return endpoint


class WebhookApiView(ApiView):
    required_scope = "webhooks"


class WebhookListView(WebhookApiView):
    @extend_schema(
        operation_id="webhooks_list",
        summary="The organization's webhook endpoints (owners and admins)",
        responses=responses({200: WebhookListOutput}, *READ_ERRORS),
        tags=["Webhooks"],
    )
    def get(self, request: Request) -> Response:
        actor = _admin_actor(request)
        endpoints = WebhookEndpoint.objects.filter(organization=actor.organization)
        return Response({"webhooks": WebhookOutput(endpoints, many=True).data})

    @extend_schema(
        operation_id="webhooks_create",
        summary="Subscribe a URL to events; the answer shows the signing secret, once",
        request=WebhookCreateInput,
        responses=responses({201: WebhookCreatedOutput}, *WRITE_ERRORS, 409),
        tags=["Webhooks"],
    )
    def post(self, request: Request) -> Response:
        actor = _admin_actor(request)
        data = WebhookCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = subscriptions.endpoint_create(
            organization=actor.organization, created_by=actor.user, **data.validated_data
        )
        endpoint.secret = secret
        return Response(WebhookCreatedOutput(endpoint).data, status=201)


class WebhookDetailView(WebhookApiView):
    @extend_schema(
        operation_id="webhooks_retrieve",
        summary="One webhook endpoint",
        responses=responses({200: WebhookOutput}, *READ_ERRORS, 404),
        tags=["Webhooks"],
    )
    def get(self, request: Request, webhook_id: str) -> Response:
        endpoint = _endpoint_get(_admin_actor(request), webhook_id)
        return Response(WebhookOutput(endpoint).data)

    @extend_schema(
        operation_id="webhooks_update",
        summary="Change the URL, events or description, or (re-)enable an endpoint",
        request=WebhookUpdateInput,
        responses=responses({200: WebhookOutput}, *WRITE_ERRORS, 404),
        tags=["Webhooks"],
    )
    def patch(self, request: Request, webhook_id: str) -> Response:
        endpoint = _endpoint_get(_admin_actor(request), webhook_id)
        data = WebhookUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = subscriptions.endpoint_update(endpoint=endpoint, **data.validated_data)
        return Response(WebhookOutput(endpoint).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Delete an endpoint and its pending deliveries",
        responses=responses({204: None}, *READ_ERRORS, 404),
        tags=["Webhooks"],
    )
    def delete(self, request: Request, webhook_id: str) -> Response:
        endpoint = _endpoint_get(_admin_actor(request), webhook_id)
        subscriptions.endpoint_delete(endpoint=endpoint)
        return Response(status=204)
