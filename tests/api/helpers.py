"""Shared checks of the agent API tests: responses against the published OpenAPI schema, query ceilings."""

from __future__ import annotations

import copy
import json
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from django.core.management import call_command
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from rest_framework.test import APIClient

# What authentication itself may cost per request, on top of an endpoint's own queries: a bearer token is
# authenticated with one SELECT (token joined to agent, owner, membership and organization) plus at most
# one UPDATE of last_used_at per minute. A fixed ceiling, whatever the data size.
AUTH_QUERIES = 2

SCHEMA_URL = "/api/v1/schema?format=json"


# Generating the schema takes a second or two and validating it several more: each is done once per test
# process and shared by the tests that read it (which must not change what they are given).


@cache
def generated_schema() -> dict[str, Any]:
    """The schema as ``manage.py spectacular --validate --fail-on-warn`` writes it (postprocessing hooks
    applied, then validated as OpenAPI 3); the command fails on any warning or validation error."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "schema.json"
        command = ["--format", "openapi-json", "--validate", "--fail-on-warn", "--file", str(path)]
        call_command("spectacular", *command)
        return json.loads(path.read_text())


@cache
def served_schema() -> dict[str, Any]:
    """The schema exactly as /api/v1/schema serves it."""
    response = APIClient().get(SCHEMA_URL)
    assert response.status_code == 200, response.content
    return response.json()


@cache
def published_schema() -> dict[str, Any]:
    """The schema as /api/v1/schema serves it, made strict: objects allow no undeclared properties.

    drf-spectacular does not emit ``additionalProperties: false``; adding it here turns "the response
    validates" into "the response has exactly the documented fields".
    """
    schema = copy.deepcopy(served_schema())
    _close_objects(schema["components"]["schemas"])
    return schema


def _close_objects(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)


def _schema_path(route: str) -> str:
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    if path in published_schema()["paths"]:
        return path  # published as served: /api/agent/…, /api/v1/…, ClockEye's unversioned paths
    if path.startswith("/api/"):
        path = "/api/v1/" + path.removeprefix("/api/")  # the unversioned twin of a v1 endpoint
    return path


def assert_documented(response: Any) -> None:
    """The response's status is declared for its operation and its body validates against that schema."""
    request = response.wsgi_request
    schema = published_schema()
    path = _schema_path(request.resolver_match.route)
    operation = schema["paths"][path][request.method.lower()]
    declared = operation["responses"]
    status = str(response.status_code)
    assert status in declared, f"{request.method} {path} answered {status}, not declared: {sorted(declared)}"
    content = declared[status].get("content")
    if content is None:
        assert not response.content
        return
    body_schema = copy.deepcopy(content["application/json"]["schema"])
    registry = Registry().with_resource("urn:teeckin", Resource.opaque(schema))
    body_schema = _rebase_refs(body_schema)
    validator = Draft202012Validator(body_schema, registry=registry)
    errors = sorted(validator.iter_errors(response.json()), key=lambda e: list(e.path))
    assert not errors, f"{request.method} {path} {status}: " + "; ".join(
        f"{list(e.path)}: {e.message}" for e in errors
    )


def _rebase_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (f"urn:teeckin{value}" if key == "$ref" and value.startswith("#") else _rebase_refs(value))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rebase_refs(value) for value in node]
    return node
