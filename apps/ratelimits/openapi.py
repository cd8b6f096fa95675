"""Rate-limit headers in the OpenAPI schema (drf-spectacular postprocessing hook).

Wired in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``: every operation under /api/ gets the
``X-RateLimit-*`` headers on each of its responses and a 429 response with ``Retry-After``, because the
middleware sends them on every /api/ answer. Views need nothing of their own.
"""

from __future__ import annotations

from typing import Any

_HEADERS = {
    "X-RateLimit-Limit": "Requests allowed in the current window of the bucket that applied "
    "(the one with the fewest requests remaining; named in X-RateLimit-Bucket).",
    "X-RateLimit-Remaining": "Requests left in that window before a 429.",
    "X-RateLimit-Reset": "Seconds until that bucket's count next goes down (after a 429: until one more "
    "request is allowed).",
    "X-RateLimit-Bucket": "The bucket: read, write, timer, heartbeat, plan, anonymous, registration, "
    "token_ip, token_client or token_client_all.",
}
_RETRY_AFTER = "Retry-After"
_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/headers/{name}"}


def add_rate_limit_headers(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    headers = result.setdefault("components", {}).setdefault("headers", {})
    for name, description in _HEADERS.items():
        schema = {"type": "string"} if name == "X-RateLimit-Bucket" else {"type": "integer"}
        headers[name] = {"description": description, "schema": schema}
    headers[_RETRY_AFTER] = {
        "description": "Seconds to wait before the refused bucket accepts requests again.",
        "schema": {"type": "integer"},
    }
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            if method not in _HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "429",
                {
                    "description": "Rate limit exceeded (code RATE_LIMITED; details name the bucket).",
                    "content": {"application/json": {"schema": _envelope_schema()}},
                },
            )
            for status, response in responses.items():
                if "$ref" in response:  # a shared response component: not ours to change
                    continue
                response_headers = response.setdefault("headers", {})
                for name in _HEADERS:
                    response_headers.setdefault(name, _ref(name))
                if status == "429":
                    response_headers.setdefault(_RETRY_AFTER, _ref(_RETRY_AFTER))
    return result


def _envelope_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "error": {"type": "string"},
            "code": {"type": "string", "example": "RATE_LIMITED"},
            "details": {
                "type": "object",
                "properties": {
                    "bucket": {"type": "string", "example": "timer"},
                    "limit": {"type": "integer", "example": 10},
                    "windowSeconds": {"type": "integer", "example": 60},
                    "retryAfter": {"type": "integer", "example": 37},
                },
            },
        },
        "required": ["error", "code", "details"],
    }
