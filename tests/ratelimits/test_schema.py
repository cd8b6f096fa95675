"""The limit headers are in the OpenAPI schema for every /api/ operation (the spectacular hook)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.urls("tests.ratelimits.urls")

LIMIT_HEADERS = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Bucket"}


def test_every_api_response_documents_the_limit_headers_and_a_429() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)

    timer_start = schema["paths"]["/api/test/timer/start"]["post"]["responses"]
    assert set(timer_start["200"]["headers"]) >= LIMIT_HEADERS
    assert LIMIT_HEADERS | {"Retry-After"} <= set(timer_start["429"]["headers"])
    assert timer_start["429"]["content"]["application/json"]["schema"]["required"] == [
        "error",
        "code",
        "details",
    ]
    for name in LIMIT_HEADERS | {"Retry-After"}:
        assert schema["components"]["headers"][name]["schema"]["type"] in {"integer", "string"}
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations
    assert all(set(op["responses"]["429"]["headers"]) >= LIMIT_HEADERS for op in operations)
    validate_schema(schema)  # still valid OpenAPI 3 after the hook
