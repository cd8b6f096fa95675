"""The limit headers are in the OpenAPI schema for every /api/ operation (the spectacular hook)."""

from __future__ import annotations

import pytest

from tests.api.helpers import generated_schema

LIMIT_HEADERS = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Bucket"}


@pytest.mark.xdist_group("generated_schema")  # one process generates and validates it for both
def test_every_api_response_documents_the_limit_headers_and_a_429() -> None:
    # Generated with the hooks and validated as OpenAPI 3 by `manage.py spectacular --validate`: the hook
    # leaves a valid schema.
    schema = generated_schema()

    for path in ("/api/v1/timer/start", "/api/agent/timer/start"):
        timer_start = schema["paths"][path]["post"]["responses"]
        success = next(code for code in timer_start if code.startswith("2"))
        assert set(timer_start[success]["headers"]) >= LIMIT_HEADERS
        assert LIMIT_HEADERS | {"Retry-After"} <= set(timer_start["429"]["headers"])
        envelope = timer_start["429"]["content"]["application/json"]["schema"]
        if "$ref" in envelope:
            envelope = schema["components"]["schemas"][envelope["$ref"].rsplit("/", 1)[-1]]
        assert set(envelope["required"]) == {"error", "code", "details"}
    for name in LIMIT_HEADERS | {"Retry-After"}:
        assert schema["components"]["headers"][name]["schema"]["type"] in {"integer", "string"}
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations
    assert all(set(op["responses"]["429"]["headers"]) >= LIMIT_HEADERS for op in operations)
