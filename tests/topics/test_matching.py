"""Fuzzy topic resolution: the table of what resolves, what is ambiguous and what is not found."""

from __future__ import annotations

import logging

import pytest

from apps.core.errors import Conflict, NotFound
from apps.organizations.models import Organization
from apps.topics import matching
from apps.topics.matching import ChoicesCache, normalise, topic_resolve
from apps.topics.models import Category, Topic
from tests.conftest import make_topic

# name -> category; the organization every table row resolves against.
CATALOGUE = {
    "Project Alpha": "Client Work",
    "Project Beta": "Client Work",
    "Website Redesign": "Client Work",
    "Research": "Internal",
    "Support Rotation": "Internal",
}
ARCHIVED = ("Legacy Migration", "Internal")


@pytest.fixture
def catalogue(org: Organization) -> dict[str, Topic]:
    topics = {name: make_topic(org, name, category) for name, category in CATALOGUE.items()}
    topics[ARCHIVED[0]] = make_topic(org, ARCHIVED[0], ARCHIVED[1], archived=True)
    return topics


RESOLVES = [
    # (case, query, expected topic name)
    ("exact", "Project Alpha", "Project Alpha"),
    ("case", "pROJECT aLPHA", "Project Alpha"),
    ("extra spaces", "  Project    Alpha ", "Project Alpha"),
    ("punctuation", "project-alpha!", "Project Alpha"),
    ("typo transposed", "Projcet Alpha", "Project Alpha"),
    ("typo missing letter", "Reserch", "Research"),
    ("typo wrong letter", "Project Bata", "Project Beta"),
    ("word order", "Alpha Project", "Project Alpha"),
    ("word order and typo", "Redesign Webiste", "Website Redesign"),
    ("partial word", "alpha", "Project Alpha"),
    ("partial word prefix", "redes", "Website Redesign"),
    ("partial two words", "support rot", "Support Rotation"),
    ("category-qualified slash", "Client Work / Project Alpha", "Project Alpha"),
    ("category-qualified colon partial", "Client Work: alpha", "Project Alpha"),
    ("category-qualified typo", "Clinet Work / Project Alpha", "Project Alpha"),
    ("category-qualified reversed", "Research (Internal)", "Research"),
]


@pytest.mark.parametrize(("case", "query", "expected"), RESOLVES, ids=[row[0] for row in RESOLVES])
def test_it_resolves(org: Organization, catalogue: dict[str, Topic], case: str, query: str, expected: str):
    topic = topic_resolve(organization=org, query=query)
    assert topic == catalogue[expected]


@pytest.mark.parametrize(
    ("name", "query"),
    [("Été", "ete"), ("Ete", "ÉTÉ"), ("Café Relaunch", "cafe relaunch")],
    ids=["accent in the name", "accent in the query", "longer name"],
)
def test_accents_do_not_matter(org: Organization, catalogue: dict[str, Topic], name: str, query: str):
    topic = make_topic(org, name, "Client Work")
    assert topic_resolve(organization=org, query=query) == topic


NOT_FOUND = [
    # (case, query, names expected among the candidates)
    ("archived by name", "Legacy Migration", []),
    ("nonsense", "xyzzy quux", []),
    ("empty after normalising", " // ", []),
    ("weak match", "Projekt Alfa Centauri", ["Project Alpha"]),
    ("wrong category", "Internal / Project Alpha", ["Project Alpha"]),
    ("category alone", "Client Work", []),
    ("too short for a partial", "al", []),
    ("another organization's topic name", "Globex Secret Project", []),
]


@pytest.mark.parametrize(("case", "query", "suggested"), NOT_FOUND, ids=[row[0] for row in NOT_FOUND])
def test_it_answers_not_found(
    org: Organization, catalogue: dict[str, Topic], outsider_topic: Topic, case: str, query: str, suggested
):
    with pytest.raises(NotFound) as raised:
        topic_resolve(organization=org, query=query)
    assert raised.value.code == "TOPIC_NOT_FOUND"
    names = [c["name"] for c in raised.value.details["candidates"]]
    assert set(suggested) <= set(names)
    assert "Legacy Migration" not in names
    assert "Globex Secret Project" not in names


AMBIGUOUS = [
    # (case, query, names that must both be offered)
    ("shared word", "project", ["Project Alpha", "Project Beta"]),
    ("shared prefix", "proj", ["Project Alpha", "Project Beta"]),
    ("typo between two", "Project Alta", ["Project Alpha", "Project Beta"]),
]


@pytest.mark.parametrize(("case", "query", "offered"), AMBIGUOUS, ids=[row[0] for row in AMBIGUOUS])
def test_it_answers_ambiguous_with_the_closest_first(
    org: Organization, catalogue: dict[str, Topic], case: str, query: str, offered: list[str]
):
    with pytest.raises(Conflict) as raised:
        topic_resolve(organization=org, query=query)
    assert raised.value.code == "TOPIC_AMBIGUOUS"
    candidates = raised.value.details["candidates"]
    assert set(offered) <= {c["name"] for c in candidates}
    assert [c["score"] for c in candidates] == sorted((c["score"] for c in candidates), reverse=True)
    assert set(candidates[0]) == {"id", "name", "category", "score"}


def test_candidates_carry_id_name_category_and_score(org: Organization, catalogue: dict[str, Topic]):
    with pytest.raises(Conflict) as raised:
        topic_resolve(organization=org, query="project")
    alpha = catalogue["Project Alpha"]
    assert {"id": alpha.id, "name": "Project Alpha", "category": "Client Work", "score": 90.0} in (
        raised.value.details["candidates"]
    )


def test_it_resolves_an_id(org: Organization, catalogue: dict[str, Topic]):
    beta = catalogue["Project Beta"]
    assert topic_resolve(organization=org, query=beta.id) == beta
    assert topic_resolve(organization=org, query=f"  {beta.id.upper()} ") == beta


def test_an_archived_topic_id_is_not_found(org: Organization, catalogue: dict[str, Topic]):
    with pytest.raises(NotFound) as raised:
        topic_resolve(organization=org, query=catalogue["Legacy Migration"].id)
    assert raised.value.details == {"candidates": []}


def test_another_organizations_topic_id_is_not_found(
    org: Organization, catalogue: dict[str, Topic], outsider_topic: Topic
):
    with pytest.raises(NotFound) as raised:
        topic_resolve(organization=org, query=outsider_topic.id)
    assert raised.value.code == "TOPIC_NOT_FOUND"
    assert raised.value.details == {"candidates": []}


def test_an_exact_name_wins_over_a_longer_name_containing_it(org: Organization):
    alpha = make_topic(org, "Alpha", "Internal")
    make_topic(org, "Project Alpha", "Client Work")
    assert topic_resolve(organization=org, query="ALPHA") == alpha


def test_a_close_full_name_beats_a_partial_match(org: Organization):
    pipeline = make_topic(org, "Data Pipeline", "Internal")
    make_topic(org, "Data Pipeline Migration", "Internal")
    assert topic_resolve(organization=org, query="Data Pipelin") == pipeline
    with pytest.raises(Conflict):  # both contain every word: no reason to prefer one
        topic_resolve(organization=org, query="pipeline")


def test_names_equal_once_normalised_are_settled_by_the_typed_name_or_ambiguous(org: Organization):
    dashed = make_topic(org, "Front-end", "Client Work")
    spaced = make_topic(org, "Front End", "Client Work")
    assert topic_resolve(organization=org, query="front-END") == dashed
    assert topic_resolve(organization=org, query="front end") == spaced
    with pytest.raises(Conflict):
        topic_resolve(organization=org, query="front_end")


def test_the_returned_topic_has_its_category_loaded(
    org: Organization, catalogue: dict[str, Topic], django_assert_num_queries
):
    topic_resolve(organization=org, query="Research")  # warm the choices
    with django_assert_num_queries(1):
        topic = topic_resolve(organization=org, query="Research")
        assert topic.category.name == "Internal"


def test_a_huge_query_is_not_found_and_not_echoed_whole(org: Organization, catalogue: dict[str, Topic]):
    with pytest.raises(NotFound) as raised:
        topic_resolve(organization=org, query="alpha " * 2000)
    assert len(raised.value.message) < 200


def test_normalise():
    assert normalise("  Client-Work /ALPHA_2 ") == "client work alpha 2"


# --- cache invalidation -------------------------------------------------------------------------------


def test_a_renamed_topic_is_seen_at_once(org: Organization, catalogue: dict[str, Topic]):
    alpha = catalogue["Project Alpha"]
    assert topic_resolve(organization=org, query="Project Alpha") == alpha
    alpha.name = "Project Omega"
    alpha.save()
    assert topic_resolve(organization=org, query="Project Omega") == alpha
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query="Project Alpha")


def test_an_archived_topic_is_seen_at_once(org: Organization, catalogue: dict[str, Topic]):
    research = catalogue["Research"]
    assert topic_resolve(organization=org, query="Research") == research
    research.archived = True
    research.save()
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query="Research")


def test_an_added_topic_is_seen_at_once(org: Organization, catalogue: dict[str, Topic]):
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query="Onboarding")
    added = make_topic(org, "Onboarding", "Internal")
    assert topic_resolve(organization=org, query="Onboarding") == added


def test_a_deleted_topic_is_seen_at_once(org: Organization, catalogue: dict[str, Topic]):
    assert topic_resolve(organization=org, query="Research")
    catalogue["Research"].delete()
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query="Research")


def test_a_renamed_category_is_seen_at_once(org: Organization, catalogue: dict[str, Topic]):
    assert topic_resolve(organization=org, query="Client Work / Project Alpha")
    category = Category.objects.get(organization=org, name="Client Work")
    category.name = "Customers"
    category.save()
    assert topic_resolve(organization=org, query="Customers / Project Beta") == catalogue["Project Beta"]


def test_another_process_sees_the_change_through_the_shared_version(
    org: Organization, catalogue: dict[str, Topic], monkeypatch: pytest.MonkeyPatch
):
    # Two per-process caches sharing Django's cache, as two gunicorn workers share Redis.
    worker_a, worker_b = ChoicesCache(), ChoicesCache()
    for worker in (worker_a, worker_b):
        monkeypatch.setattr(matching, "_choices", worker)
        assert topic_resolve(organization=org, query="Research") == catalogue["Research"]
    monkeypatch.setattr(matching, "_choices", worker_a)
    catalogue["Research"].name = "Discovery"
    catalogue["Research"].save()
    monkeypatch.setattr(matching, "_choices", worker_b)
    assert topic_resolve(organization=org, query="Discovery") == catalogue["Research"]


def test_a_change_without_signals_heals_when_the_chosen_topic_is_gone(
    org: Organization, catalogue: dict[str, Topic]
):
    research = catalogue["Research"]
    assert topic_resolve(organization=org, query="Research") == research
    Topic.objects.filter(pk=research.pk).update(archived=True)  # sends no post_save
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query=research.id)
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query="Research")


def test_a_rename_without_signals_is_seen_once_the_entry_is_too_old(
    org: Organization, catalogue: dict[str, Topic], monkeypatch: pytest.MonkeyPatch
):
    assert topic_resolve(organization=org, query="Research") == catalogue["Research"]
    Topic.objects.filter(pk=catalogue["Research"].pk).update(name="Discovery")  # sends no post_save
    monkeypatch.setattr(matching, "MAX_AGE_SECONDS", 0)
    assert topic_resolve(organization=org, query="Discovery") == catalogue["Research"]


def test_it_still_resolves_when_the_shared_cache_is_down(
    org: Organization,
    catalogue: dict[str, Topic],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
):
    calls = []

    def unreachable(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(matching.cache, "get", unreachable)
    monkeypatch.setattr(matching.cache, "set", unreachable)
    with caplog.at_level(logging.WARNING, logger=matching.logger.name):
        assert topic_resolve(organization=org, query="Projcet Alpha") == catalogue["Project Alpha"]
        catalogue["Research"].name = "Discovery"
        catalogue["Research"].save()  # the failed version bump does not fail the write
        assert topic_resolve(organization=org, query="Discovery") == catalogue["Research"]
    # The shared breaker: one failed call (one connection timeout with a real Redis) and one warning,
    # then the cache is skipped instead of being waited on for every lookup and save.
    assert len(calls) == 1
    assert len([r for r in caplog.records if "Shared cache unreachable" in r.getMessage()]) == 1


def test_organizations_do_not_share_cached_choices(
    org: Organization, other_org: Organization, catalogue: dict[str, Topic], outsider_topic: Topic
):
    assert topic_resolve(organization=other_org, query="Globex Secret Project") == outsider_topic
    with pytest.raises(NotFound):
        topic_resolve(organization=other_org, query="Project Alpha")


def test_the_least_recently_used_organization_leaves_the_process_cache_first(
    org: Organization,
    other_org: Organization,
    catalogue: dict[str, Topic],
    outsider_topic: Topic,
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(matching, "_choices", ChoicesCache())
    monkeypatch.setattr(matching, "MAX_CACHED_TOPICS", len(CATALOGUE) + 1)
    topic_resolve(organization=org, query="Research")
    topic_resolve(organization=other_org, query="Globex Secret Project")  # 5 + 1 topics: both fit
    assert list(matching._choices._entries) == [org.pk, other_org.pk]
    make_topic(other_org, "Globex Audit")
    topic_resolve(organization=other_org, query="Globex Audit")  # 5 + 2: the older one goes
    assert list(matching._choices._entries) == [other_org.pk]


# --- queries ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_topics", [0, 200])
def test_a_lookup_makes_a_fixed_number_of_queries(
    org: Organization, catalogue: dict[str, Topic], extra_topics: int, django_assert_max_num_queries
):
    category = Category.objects.get(organization=org, name="Internal")
    Topic.objects.bulk_create(
        Topic(organization=org, category=category, name=f"Filler {n:03d}") for n in range(extra_topics)
    )
    matching.topic_choices_invalidate(organization_id=org.pk)  # bulk_create sends no signal
    with django_assert_max_num_queries(2):  # cold: the choices, then the chosen topic
        topic_resolve(organization=org, query="Projcet Alpha")
    with django_assert_max_num_queries(1):  # warm: only the chosen topic with its category
        topic_resolve(organization=org, query="Projcet Alpha")
    # Warm and nothing matches: no query at all.
    with django_assert_max_num_queries(0), pytest.raises(NotFound):
        topic_resolve(organization=org, query="xyzzy quux")
