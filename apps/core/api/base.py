"""The base view of every agent API endpoint, and the query-string rule every API view shares."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.agents.authentication import token_scope_check
from apps.core.actor import Actor, actor_from_request
from apps.core.api.schema import AgentApiSchema
from apps.idempotency.views import IdempotentWrites


class StrictQueryMixin:
    """Refuses query parameters a method does not declare (400 naming them), as bodies refuse fields.

    An ignored parameter is a silent wrong answer: ``?project_id=…`` on a list filtered nothing and
    returned every entry. A method's parameters are the fields of ``query_serializers[method]``, the
    same serializer the view validates with and the schema publishes (AgentApiSchema), so what is
    documented and what is accepted cannot drift apart.
    """

    query_serializers: dict[str, type[serializers.Serializer]] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]  # credentials are checked first
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):  # type: ignore[attr-defined]
            return  # a method the view does not have: its 405 comes first
        serializer = self.query_serializers.get(method)
        allowed = set(serializer().fields) if serializer else set()
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown parameter."] for name in unknown}, code="unknown_parameter"
            )

    def query_data(self, request: Request) -> dict[str, Any]:
        """The method's query parameters, validated (400 in the envelope when they are not)."""
        # A plain dict, not the QueryDict: DRF reads "?topic_id=" from a QueryDict as "not given", and an
        # empty filter must be refused as blank rather than silently list everything.
        query = self.query_serializers[request.method.lower()](data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        return query.validated_data


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
