"""The published schema states what the server refuses (schemathesis relies on it: test_schemathesis.py)."""

from __future__ import annotations

import re

import pytest

from tests.api.helpers import served_schema

pytestmark = pytest.mark.django_db


def _schema() -> dict:
    return served_schema()  # as served: published_schema() adds the strictness these tests look for


def _request_components(schema: dict) -> dict[str, dict]:
    names = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            if ref:
                names.add(ref.rsplit("/", 1)[1])
    return {name: schema["components"]["schemas"][name] for name in names}


def test_every_json_input_refuses_unknown_properties():
    components = _request_components(_schema())
    assert len(components) >= 10
    for name, component in components.items():
        assert component["additionalProperties"] is False, name


def _body_of(schema: dict, path: str, method: str = "post") -> dict:
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_strings_lists_and_numbers_carry_the_servers_bounds():
    schema = _schema()
    topic = _body_of(schema, "/api/agent/timer/start")["properties"]["topic"]
    assert topic["minLength"] == 1
    assert not re.fullmatch(topic["pattern"], " \x1e ") and not re.fullmatch(topic["pattern"], "a\x00")
    assert re.fullmatch(topic["pattern"], " Project Alpha ")
    assert _body_of(schema, "/api/agent/timer/tags")["properties"]["tags"]["minItems"] == 1
    assert _body_of(schema, "/api/agent/time")["properties"]["duration_minutes"]["minimum"] == 1
    assert _body_of(schema, "/api/v1/webhooks")["properties"]["events"]["minItems"] == 1


def test_patch_bodies_keep_their_required_fields():
    # Our PATCH inputs are not partial: the timer's notes are required (drf-spectacular would drop that).
    assert "notes" in _body_of(_schema(), "/api/agent/timer", "patch")["required"]


def test_body_refusals_and_query_parameters_are_documented():
    schema = _schema()
    create = schema["paths"]["/api/v1/clocked-times"]["post"]
    assert {"411", "413"} <= set(create["responses"])
    listing = schema["paths"]["/api/v1/clocked-times"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "topic_id",
        "tag",
        "session",
        "repository",
        "start_date",
        "end_date",
        "page",
        "page_size",
    }
    assert "400" in schema["paths"]["/api/v1/topics"]["get"]["responses"]  # unknown query parameters
