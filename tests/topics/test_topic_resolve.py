"""GET /api/agent/topics/resolve and /api/v1/topics/resolve: a dry run of what a timer start would pick."""

from __future__ import annotations

import pytest

from apps.clocked_times.models import ClockedTime
from apps.organizations.models import Organization
from apps.topics.models import Topic, TopicAlias, TopicRepository
from tests.api.helpers import assert_documented
from tests.conftest import make_topic

SURFACES = ["/api/agent/topics/resolve", "/api/v1/topics/resolve"]


@pytest.fixture
def catalog(org) -> dict[str, Topic]:
    topics = {
        name: make_topic(org, name, category)
        for name, category in [
            ("Project Alpha", "Client Work"),
            ("Project Beta", "Client Work"),
            ("Research", "Internal"),
        ]
    }
    topics["Legacy Migration"] = make_topic(org, "Legacy Migration", "Internal", archived=True)
    return topics


@pytest.mark.parametrize("url", SURFACES)
def test_a_resolvable_name_shows_the_topic_rule_and_score(owner_api, catalog, url):
    response = owner_api.get(url, {"q": "projct alpha"})
    assert response.status_code == 200
    body = response.json()
    alpha = catalog["Project Alpha"]
    assert body["resolved"] is True
    assert body["topic"] == {"id": alpha.id, "name": "Project Alpha", "category": "Client Work"}
    assert body["rule"] == "near-name" and 80 <= body["score"] <= 100
    assert body["error"] is None and body["query"] == "projct alpha"
    assert_documented(response)


def test_an_ambiguous_name_lists_the_candidates_and_the_error_a_start_would_get(owner_api, catalog):
    response = owner_api.get("/api/agent/topics/resolve", {"q": "project"})
    body = response.json()
    assert response.status_code == 200 and body["resolved"] is False and body["topic"] is None
    assert {c["name"] for c in body["candidates"]} == {"Project Alpha", "Project Beta"}
    assert body["error"]["code"] == "TOPIC_AMBIGUOUS"
    assert body["error"]["details"]["candidates"] == body["candidates"]
    started = owner_api.post("/api/agent/timer/start", {"topic": "project"}, format="json")
    assert started.status_code == 409 and started.json() == body["error"]
    assert_documented(response)


def test_an_archived_name_is_reported_as_archived(owner_api, catalog):
    body = owner_api.get("/api/agent/topics/resolve", {"q": "legacy migration"}).json()
    assert body["resolved"] is False
    assert body["error"]["code"] == "TOPIC_NOT_FOUND"
    assert "archived" in body["error"]["error"]
    assert body["error"]["details"]["archived"]["id"] == catalog["Legacy Migration"].id
    started = owner_api.post("/api/agent/timer/start", {"topic": "legacy migration"}, format="json")
    assert started.status_code == 404 and started.json() == body["error"]


def test_the_dry_run_writes_nothing(owner_api, owner, catalog):
    for query in ("Project Alpha", "Research", "nothing like it"):
        assert owner_api.get("/api/agent/topics/resolve", {"q": query}).status_code == 200
    assert not ClockedTime.objects.filter(user=owner).exists()


def test_aliases_resolve_like_names(owner_api, org, catalog):
    TopicAlias.objects.create(organization=org, topic=catalog["Research"], name="R&D")
    body = owner_api.get("/api/agent/topics/resolve", {"q": "r&d"}).json()
    assert body["resolved"] and body["topic"]["id"] == catalog["Research"].id and body["rule"] == "exact"


def test_a_repository_resolves_through_its_bindings(owner_api, org, catalog):
    TopicRepository.objects.create(organization=org, topic=catalog["Project Alpha"], pattern="acme/*")
    TopicRepository.objects.create(organization=org, topic=catalog["Project Beta"], pattern="acme/web")
    response = owner_api.get("/api/v1/topics/resolve", {"repository": "git@github.com:Acme/web.git"})
    body = response.json()
    assert body["repository"] == "github.com/acme/web"
    assert body["resolved"] and body["topic"]["name"] == "Project Beta" and body["rule"] == "repository-exact"
    assert [b["pattern"] for b in body["bindings"]] == ["acme/web", "acme/*"]
    assert_documented(response)
    other = owner_api.get("/api/v1/topics/resolve", {"repository": "https://github.com/acme/api"}).json()
    assert other["topic"]["name"] == "Project Alpha" and other["rule"] == "repository-glob"
    none = owner_api.get("/api/v1/topics/resolve", {"repository": "github.com/globex/web2"}).json()
    assert none["resolved"] is False and none["topic"] is None and none["rule"] == "repository-none"


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "a", "repository": "b"}, {"q": "alpha", "topic": "x"}, {"q": "x" * 501}],
    ids=["neither", "both", "unknown parameter", "too long"],
)
def test_bad_parameters_are_400_in_the_envelope(owner_api, catalog, params):
    response = owner_api.get("/api/agent/topics/resolve", params)
    assert response.status_code == 400
    assert response.json()["code"] == "VALIDATION_ERROR"
    if "topic" in params:
        assert "topic" in response.json()["details"]


def test_another_organizations_topics_are_never_candidates(outsider_api, catalog):
    by_id = outsider_api.get("/api/agent/topics/resolve", {"q": catalog["Research"].id}).json()
    assert by_id["resolved"] is False and by_id["candidates"] == []
    by_name = outsider_api.get("/api/agent/topics/resolve", {"q": "Project Alpha"}).json()
    assert by_name["resolved"] is False and by_name["candidates"] == []


def test_it_counts_as_a_read(owner_api, org, catalog):
    org.plan = Organization.Plan.ENTERPRISE  # no hourly quota, so the headers show the tightest bucket
    org.save(update_fields=["plan"])
    response = owner_api.get("/api/agent/topics/resolve", {"q": "Research"})
    assert response["X-RateLimit-Bucket"] == "read"
    assert response["X-RateLimit-Limit"] == "120"
