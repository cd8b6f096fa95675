"""The base view of every agent API endpoint: it knows the agents' credentials (a token's scopes, the
actor a request acts as), so it lives with them rather than in core."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.views import APIView

from apps.agents.authentication import token_scope_check
from apps.core.api.query import StrictQueryMixin
from apps.core.api.schema import AgentApiSchema
from apps.idempotency.views import IdempotentWrites
from apps.organizations.actor import Actor, actor_from_request


class ApiView(IdempotentWrites, StrictQueryMixin, APIView):
    # No class docstring: drf-spectacular would publish it as every subclass's description.
    # A missing credential answers 401 with a Bearer challenge: DRF turns "not authenticated" into 403
    # when the first authentication class offers no WWW-Authenticate challenge (SessionAuthentication
    # does not), and agents must get the spec's 401.
    # IdempotentWrites: every write honours an Idempotency-Key header (apps/idempotency/views.py).

    schema = AgentApiSchema()
    # The OAuth scope an agent's access token must carry (README "Scopes"); the schema declares it too.
    required_scope = "agent"

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        token_scope_check(request, self.required_scope)

    def get_authenticate_header(self, request: Request) -> str:
        return super().get_authenticate_header(request) or 'Bearer realm="teeckin"'

    def actor(self, request: Request) -> Actor:
        return actor_from_request(request)
