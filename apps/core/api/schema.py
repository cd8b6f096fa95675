"""OpenAPI helpers: the error envelope component and the error responses every operation declares."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

_DESCRIPTIONS = {
    400: (
        "Invalid input (malformed JSON, wrong types, unknown fields or query parameters, impossible values); "
        "nothing written."
    ),
    401: "Missing, invalid or expired access token.",
    403: (
        "Agent deactivated, secret revoked, the access token lacks the operation's scope "
        "(INSUFFICIENT_SCOPE), or the owner's role does not allow this."
    ),
    404: "Not found in the agent's organization (another organization's ids are reported as missing).",
    409: "Conflicts with the current state (ambiguous topic, archived topic, overlap, name taken, in use).",
    415: "The body is not application/json.",
    429: "Rate limit exceeded; retry after the limit resets.",
}


class ErrorEnvelope(serializers.Serializer):
    """Every error answer of the API."""

    error = serializers.CharField(help_text="Human-readable message.")
    code = serializers.CharField(help_text="Machine-readable code, e.g. NO_ACTIVE_TIMER.")
    details = serializers.DictField(help_text="Field messages or context, e.g. topic candidates.")


READ_ERRORS = (400, 401, 403, 429)  # 400: an unknown query parameter
WRITE_ERRORS = (400, 401, 403, 415, 429)


def responses(ok: dict[int, Any], *errors: int) -> dict[int, Any]:
    """``ok`` (status → serializer) plus the envelope for each error status, for ``@extend_schema``."""
    declared: dict[int, Any] = dict(ok)
    for status in sorted(set(errors)):
        declared[status] = OpenApiResponse(ErrorEnvelope, description=_DESCRIPTIONS[status])
    return declared


def schema_preprocess(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list:
    """Publish the stable surface: /api/v1/…, the simple /api/agent/… endpoints and OAuth's /api/oauth/…,
    plus views that exist only unversioned and say so (``schema_publish_unversioned``, e.g. ClockEye's paths).

    The full endpoints are also served unversioned (/api/timer/start, as the spec shows); they are the
    same views, so documenting them twice would only duplicate every operation.
    """
    return [
        endpoint
        for endpoint in endpoints
        if endpoint[0].startswith(("/api/v1/", "/api/agent/", "/api/oauth/"))
        or getattr(getattr(endpoint[3], "cls", None), "schema_publish_unversioned", False)
    ]


class AgentApiSchema(AutoSchema):
    """Declares the two agent credentials on every operation, whatever DRF classes authenticate.

    An access token must carry the view's ``required_scope``; API keys need no scope.
    Browser sessions also authenticate (for the admin's own use) but are not part of the agent contract.
    The schemes' definitions are the authentication classes' extensions (apps/agents/schema.py).
    """

    def get_override_parameters(self) -> list[Any]:
        # A method's query serializer (StrictQueryMixin) is also its documented parameters.
        declared = getattr(self.view, "query_serializers", {}).get(self.method.lower())
        return [*super().get_override_parameters(), *([declared] if declared else [])]

    def get_auth(self) -> list[dict[str, list]]:
        # OpenAPI 3.1 lets a non-OAuth scheme list what it requires: the access token's scope here. The
        # parent's answer is replaced, but its call puts the schemes' definitions into the components.
        super().get_auth()
        return [{"agentToken": [self.view.required_scope]}, {"apiKey": []}]


# A string DRF accepts: no NUL (CharField refuses one), and, unless blank is allowed, something besides
# whitespace (CharField strips it, then refuses the empty string). Python's whitespace, spelled out: the
# regex \s of JSON Schema (ECMA-262) leaves out U+001C..U+001F and U+0085, which str.strip() removes.
_PY_WHITESPACE = (
    "\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
_NO_NUL = "^[^\\u0000]*$"
_NOT_BLANK = f"^[^\\u0000]*[^\\u0000{_PY_WHITESPACE}][^\\u0000]*$"
# One word: no whitespace at all (Python's), no NUL.
ONE_WORD_PATTERN = f"^[^\\u0000{_PY_WHITESPACE}]+$"


def schema_pattern(field: serializers.CharField, pattern: str) -> serializers.CharField:
    """``field``, publishing ``pattern`` (JSON Schema regex syntax): the characters its validation
    accepts, when that is stricter than a CharField's (StrictInputExtension reads it)."""
    field.schema_pattern = pattern  # type: ignore[attr-defined]
    return field


class StrictInputExtension(OpenApiSerializerExtension):
    """Publishes what a StrictInput refuses, so the schema is as strict as the server.

    ``additionalProperties: false`` (unknown fields are a 400), and for each field what DRF enforces but
    drf-spectacular leaves out: non-blank strings (``minLength``/``pattern``), no NUL character, non-empty
    lists (``minItems``).
    """

    target_class = "apps.core.api.serializers.StrictInput"
    match_subclasses = True

    def map_serializer(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        for name, field in self.target.fields.items():
            prop = schema.get("properties", {}).get(name)
            if prop is not None and not field.read_only:
                _field_constraints(field, prop)
        return schema


def _field_constraints(field: serializers.Field, prop: dict[str, Any]) -> None:
    if isinstance(field, serializers.ListField):
        if not field.allow_empty:
            prop["minItems"] = max(prop.get("minItems", 0), 1)
        if isinstance(field.child, serializers.CharField) and isinstance(prop.get("items"), dict):
            _field_constraints(field.child, prop["items"])
    elif isinstance(field, serializers.CharField) and "enum" not in prop and "format" not in prop:
        if getattr(field, "schema_pattern", None):  # a field whose service checks its characters
            prop["pattern"] = field.schema_pattern
            if not field.allow_blank:
                prop["minLength"] = max(prop.get("minLength", 0), 1)
        elif field.allow_blank:
            prop.setdefault("pattern", _NO_NUL)
        else:
            prop["minLength"] = max(prop.get("minLength", 0), 1)
            prop.setdefault("pattern", _NOT_BLANK if field.trim_whitespace else _NO_NUL)


_BODY_REFUSALS = {
    "411": "The body was sent without a Content-Length (chunked transfer encoding); nothing written.",
    "413": "The body is over the server's size limit; nothing written.",
}


def add_body_refusals(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Postprocessing hook: every operation that takes a body may answer 411 or 413 in the envelope
    (apps.core.middleware.ApiBodyGuardMiddleware refuses such bodies before any view runs)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            for status, description in _BODY_REFUSALS.items():
                operation.setdefault("responses", {}).setdefault(
                    status,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}
                        },
                    },
                )
    return result
