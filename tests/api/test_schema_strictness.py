"""The published schema states what the server refuses (schemathesis relies on it: test_schemathesis.py)."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _schema() -> dict:
    return APIClient().get("/api/v1/schema?format=json").json()


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


def test_strings_lists_and_numbers_carry_the_servers_bounds():
    components = _schema()["components"]["schemas"]
    topic = components["AgentTimerStartInput"]["properties"]["topic"]
    assert topic["minLength"] == 1
    assert not re.fullmatch(topic["pattern"], " \x1e ") and not re.fullmatch(topic["pattern"], "a\x00")
    assert re.fullmatch(topic["pattern"], " Project Alpha ")
    assert components["AgentTimerTagsInput"]["properties"]["tags"]["minItems"] == 1
    assert components["AgentTimeInput"]["properties"]["duration_minutes"]["minimum"] == 1
    assert components["WebhookCreateInput"]["properties"]["events"]["minItems"] == 1


def test_patch_bodies_keep_their_required_fields():
    # Our PATCH inputs are not partial: the timer's notes are required (drf-spectacular would drop that).
    operation = _schema()["paths"]["/api/agent/timer"]["patch"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/AgentTimerUpdateInput")


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
