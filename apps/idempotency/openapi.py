"""The Idempotency-Key header in the OpenAPI schema (drf-spectacular postprocessing hook).

Wired in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``: every write operation under /api/ (POST, PUT,
PATCH, DELETE) gets the optional header, the 409 and 422 answers it can cause and the
``Idempotent-Replayed`` header on its successful answers, because ``ApiView`` handles the header for all
of them. Views need nothing of their own.
"""

from __future__ import annotations

from typing import Any

from apps.idempotency.services import KEY_MAX_LENGTH
from apps.idempotency.views import HEADER, REPLAYED_HEADER

_WRITE_METHODS = {"post", "put", "patch", "delete"}
_ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}
_IN_PROGRESS = (
    "IDEMPOTENCY_KEY_IN_PROGRESS: a request with this Idempotency-Key is still running "
    "(retry after Retry-After seconds)."
)
_REUSED = "IDEMPOTENCY_KEY_REUSED: this Idempotency-Key was used for a different request (endpoint or body)."


def add_idempotency_key_header(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    components = result.setdefault("components", {})
    components.setdefault("parameters", {})["IdempotencyKey"] = {
        "name": HEADER,
        "in": "header",
        "required": False,
        "description": (
            "Makes a retried write safe: the first request with a key runs and its answer is kept for "
            "24 hours (per organization and user); a repeat with the same body gets that answer again "
            f"with `{REPLAYED_HEADER}: true` and writes nothing. Up to {KEY_MAX_LENGTH} printable "
            "ASCII characters, e.g. a UUID (400 INVALID_IDEMPOTENCY_KEY otherwise)."
        ),
        "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": "^[ -~]+$"},
    }
    components.setdefault("headers", {})[REPLAYED_HEADER] = {
        "description": "`true` when this answer is the recorded one of an earlier request with the same "
        "Idempotency-Key (nothing was written this time).",
        "schema": {"type": "string", "enum": ["true"]},
    }
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method not in _WRITE_METHODS:
                continue
            operation.setdefault("parameters", []).append({"$ref": "#/components/parameters/IdempotencyKey"})
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                if status.startswith("2") and "$ref" not in response:
                    response.setdefault("headers", {})[REPLAYED_HEADER] = {
                        "$ref": f"#/components/headers/{REPLAYED_HEADER}"
                    }
            conflict = responses.setdefault("409", {"description": "", "content": _json(_ENVELOPE)})
            conflict["description"] = " ".join(filter(None, [conflict.get("description"), _IN_PROGRESS]))
            responses.setdefault("422", {"description": _REUSED, "content": _json(_ENVELOPE)})
    return result


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": dict(schema)}}
