"""The published OpenAPI schema (/api/v1/schema) and Swagger UI (/api/docs)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.api import helpers
from tests.api.helpers import assert_documented, generated_schema, published_schema

SPEC_OPERATIONS = {
    ("get", "/api/agent/topics"),
    ("get", "/api/agent/timer"),
    ("patch", "/api/agent/timer"),
    ("post", "/api/agent/timer/start"),
    ("post", "/api/agent/timer/stop"),
    ("post", "/api/agent/time"),
    ("get", "/api/agent/tags"),
    ("post", "/api/agent/timer/tags"),
    ("get", "/api/v1/topics/for-agent"),
    ("post", "/api/v1/timer/start"),
    ("post", "/api/v1/timer/stop"),
    ("get", "/api/v1/timer/active"),
    ("post", "/api/v1/clocked-times"),
    ("get", "/api/v1/clocked-times"),
    ("get", "/api/v1/clocked-times/{entry_id}"),
    ("patch", "/api/v1/clocked-times/{entry_id}"),
    ("delete", "/api/v1/clocked-times/{entry_id}"),
}

# ClockEye's paths, published as served (ClockEye clients know no /api/v1).
CLOCKEYE_OPERATIONS = {
    ("get", "/api/projects"),
    ("get", "/api/time-entries"),
    ("post", "/api/time-entries/start"),
    ("post", "/api/time-entries/stop"),
}

# The operations of the agent API proper (tags set in apps/*/api/views.py).
AGENT_API_TAGS = {
    "Simple agent endpoints",
    "Timer",
    "Topics",
    "Categories",
    "Tags",
    "Clocked times",
    "ClockEye compatibility",
}


@pytest.mark.xdist_group("generated_schema")  # one process generates and validates it for both
def test_schema_passes_drf_spectacular_validation_without_warnings():
    # `manage.py spectacular --validate --fail-on-warn`, shared with the other tests that read its output.
    assert generated_schema()["openapi"].startswith("3.")


def test_schema_is_served_without_credentials_as_openapi_3(db):
    response = APIClient().get("/api/v1/schema?format=json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_swagger_ui_is_served(db):
    response = APIClient().get("/api/docs")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content
    # The start-up script is a file of its own (Content-Security-Policy: no inline script); it loads
    # the schema.
    assert b"<script>" not in response.content and b'src="/api/docs?script="' in response.content
    script = APIClient().get("/api/docs?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/v1/schema" in script.content
    # Served from our own static files (drf-spectacular-sidecar), so the page works without a CDN.
    assert b"cdn.jsdelivr.net" not in response.content
    assert b"/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in response.content


def test_every_spec_endpoint_is_documented_once(db):
    paths = published_schema()["paths"]
    documented = {(method, path) for path, operations in paths.items() for method in operations}
    assert documented >= SPEC_OPERATIONS | CLOCKEYE_OPERATIONS
    # The unversioned twins of /api/v1 are not documented again; only ClockEye's own paths are, and the
    # OAuth endpoints (token, revocation): clients need their forms and errors.
    unversioned = {
        (method, path)
        for method, path in documented
        if not path.startswith(("/api/v1/", "/api/agent/", "/api/oauth/"))
    }
    assert unversioned == CLOCKEYE_OPERATIONS
    assert {("post", "/api/oauth/token"), ("post", "/api/oauth/revoke")} <= documented


def test_both_credentials_are_declared_on_every_operation(db):
    schema = published_schema()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["agentToken"] == {**schemes["agentToken"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    for path, operations in schema["paths"].items():
        if path.startswith("/api/oauth/"):
            continue  # the client authenticates with its id and secret there, as the form says
        for method, operation in operations.items():
            # Other endpoints (an agent's own /api/agent/me) may add a browser session; never fewer.
            token = [entry["agentToken"] for entry in operation["security"] if "agentToken" in entry]
            assert token, (method, path)
            # The scope a token needs (docs/agents-and-auth.md, Scopes); /api/agent/me takes any token.
            expected = ["webhooks"] if "Webhooks" in operation.get("tags", []) else ["agent"]
            if path == "/api/agent/me":
                expected = []
            assert all(scopes == expected for scopes in token), (method, path)
            assert {"apiKey": []} in operation["security"], (method, path)


def test_every_error_response_is_the_envelope(db):
    schema = published_schema()
    envelope = schema["components"]["schemas"]["ErrorEnvelope"]
    assert set(envelope["required"]) == {"error", "code", "details"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if not set(operation.get("tags", [])) & AGENT_API_TAGS:
                continue
            statuses = set(operation["responses"])
            assert {"401", "403", "429"} <= statuses, (method, path)
            if method in ("post", "patch"):
                assert {"400", "415"} <= statuses, (method, path)
            for status, answer in operation["responses"].items():
                if status.startswith(("4", "5")):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorEnvelope", (method, path, status)


def test_response_validation_catches_an_undocumented_field(owner_api, owner):
    """The checker used throughout the suite is strict: an extra field fails it."""
    response = owner_api.get("/api/timer/active")
    assert_documented(response)
    body = {**response.json(), "surprise": 1}
    response.json = lambda: body  # the test client sets json per response
    with pytest.raises(AssertionError, match="surprise"):
        helpers.assert_documented(response)


def test_response_validation_catches_an_undeclared_status(owner_api, owner):
    response = owner_api.delete("/api/timer/start")
    assert response.status_code == 405
    with pytest.raises(KeyError):
        assert_documented(response)
