"""The query-string rule every API view shares: a parameter a method does not declare is refused."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request


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
