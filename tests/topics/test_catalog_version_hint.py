"""Topic matching takes the catalog version from the request's credential lookup (apps.core.request_hints)
instead of reading it again, and a catalog write in the same request makes it read the new one."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.request_hints import catalog_version_note, request_hints_kept
from apps.topics.catalog import catalog_version
from apps.topics.matching import topic_resolve
from apps.topics.services import topic_update


@pytest.mark.django_db
def test_a_noted_version_spares_the_query(org: Any, topic: Any) -> None:
    topic_resolve(organization=org, query="Project Alpha")  # the choices are cached for this version
    version = catalog_version(organization_id=org.pk)
    with request_hints_kept():
        catalog_version_note(org.pk, version)
        with CaptureQueriesContext(connection) as captured:
            assert topic_resolve(organization=org, query="Project Alpha").pk == topic.pk
    assert len(captured.captured_queries) == 0


@pytest.mark.django_db
def test_a_catalog_write_in_the_request_forgets_the_noted_version(org: Any, topic: Any) -> None:
    topic_resolve(organization=org, query="Project Alpha")
    with request_hints_kept():
        # What the credential lookup read on the way in; then the request renames the topic.
        catalog_version_note(org.pk, catalog_version(organization_id=org.pk))
        topic_update(topic=topic, name="Project Omega")
        assert topic_resolve(organization=org, query="Project Omega").pk == topic.pk


def test_the_api_resolves_a_topic_renamed_by_the_previous_request(owner_api: Any, topic: Any) -> None:
    first = owner_api.post("/api/agent/timer/start", {"topic": "Project Alpha"}, format="json")
    assert first.status_code == 201
    topic_update(topic=topic, name="Project Omega")
    response = owner_api.post("/api/agent/timer/start", {"topic": "Project Omega"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["topic"]["id"] == topic.pk
