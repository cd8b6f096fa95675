"""Fuzzy topic resolution: the table of what resolves, what is ambiguous and what is not found."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.errors import Conflict, NotFound
from apps.organizations.models import Organization
from apps.topics import matching
from apps.topics.matching import ChoicesCache, normalise, topic_resolve
from apps.topics.models import Category, Topic, TopicAlias
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
    # Only "alta" is unknown, but it is unknown: both Project topics are offered, none is picked.
    ("typo between two", "Project Alta", ["Project Alpha", "Project Beta"]),
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
    # Issue 12: a category's name alone is ambiguous among its topics (it used to be "not found").
    ("category alone", "Client Work", ["Project Alpha", "Project Beta", "Website Redesign"]),
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
    (offered,) = [c for c in raised.value.details["candidates"] if c["id"] == alpha.id]
    assert offered["name"] == "Project Alpha" and offered["category"] == "Client Work"
    assert 0 < offered["score"] <= 100


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
    with django_assert_num_queries(1):  # the catalog version
        topic = topic_resolve(organization=org, query="Research")
        assert topic.category.name == "Internal"


def test_a_huge_query_is_not_found_and_not_echoed_whole(org: Organization, catalogue: dict[str, Topic]):
    with pytest.raises(NotFound) as raised:
        topic_resolve(organization=org, query="alpha " * 2000)
    assert len(raised.value.message) < 200


def test_normalise():
    assert normalise("  Client-Work /ALPHA_2 ") == "client work alpha 2"


# --- no stale state -----------------------------------------------------------------------------------
# The prepared choices are keyed by the catalog version that database triggers move with every write, so
# even writes that bypass the services and send no signal are seen by the next lookup in every process.


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
    with pytest.raises(NotFound) as raised:
        topic_resolve(organization=org, query="Research")
    assert raised.value.details["archived"]["id"] == research.id


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


def test_an_added_alias_is_seen_at_once(org: Organization, catalogue: dict[str, Topic]):
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query="Skunkworks")
    TopicAlias.objects.create(organization=org, topic=catalogue["Project Alpha"], name="Skunkworks")
    assert topic_resolve(organization=org, query="skunk works") == catalogue["Project Alpha"]


def test_writes_without_signals_are_seen_at_once(org: Organization, catalogue: dict[str, Topic]):
    research = catalogue["Research"]
    assert topic_resolve(organization=org, query="Research") == research
    Topic.objects.filter(pk=research.pk).update(name="Discovery", name_key="discovery")
    assert topic_resolve(organization=org, query="Discovery").id == research.id
    Topic.objects.filter(pk=research.pk).update(archived=True)
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query=research.id)
    category = Category.objects.get(organization=org, name="Internal")
    Topic.objects.bulk_create([Topic(organization=org, category=category, name="Bulk Imported")])
    assert topic_resolve(organization=org, query="bulk imported").name == "Bulk Imported"


def test_a_name_renamed_then_recreated_never_maps_to_the_old_id_in_another_worker(
    org: Organization, catalogue: dict[str, Topic], monkeypatch: pytest.MonkeyPatch
):
    # Two per-process caches, as two gunicorn workers have; they share nothing but the database.
    worker_a, worker_b = ChoicesCache(), ChoicesCache()
    old = catalogue["Research"]
    for worker in (worker_a, worker_b):
        monkeypatch.setattr(matching, "_choices", worker)
        assert topic_resolve(organization=org, query="Research") == old
    monkeypatch.setattr(matching, "_choices", worker_a)
    Topic.objects.filter(pk=old.pk).update(name="Research (old)", name_key="research (old)")
    new = make_topic(org, "Research", "Internal")
    monkeypatch.setattr(matching, "_choices", worker_b)
    assert topic_resolve(organization=org, query="Research") == new


def test_a_rolled_back_write_leaves_no_trace_in_the_cache(org: Organization, catalogue: dict[str, Topic]):
    from django.db import transaction

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        Topic.objects.filter(pk=catalogue["Research"].pk).update(name="Scratch", name_key="scratch")
        assert topic_resolve(organization=org, query="Scratch") == catalogue["Research"]
        raise Abort
    with pytest.raises(NotFound):
        topic_resolve(organization=org, query="Scratch")
    assert topic_resolve(organization=org, query="Research") == catalogue["Research"]


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
    """Seen from outside: a lookup from the cache costs one query (the catalog version), one that builds
    the choices again costs three (see test_a_lookup_makes_a_fixed_number_of_queries)."""
    monkeypatch.setattr(matching, "_choices", ChoicesCache())
    monkeypatch.setattr(matching, "MAX_CACHED_ORGANIZATIONS", 2)
    third_org = Organization.objects.create(name="Initech")
    make_topic(third_org, "Initech Printers", "Client Work")
    lookups = {
        org: "Research",
        other_org: "Globex Secret Project",
        third_org: "Initech Printers",
    }

    def queries_of(organization: Organization) -> int:
        with CaptureQueriesContext(connection) as captured:
            topic_resolve(organization=organization, query=lookups[organization])
        return len(captured)

    assert [queries_of(o) for o in (org, other_org)] == [3, 3]  # both built and kept
    assert queries_of(org) == 1  # org is now the more recently used of the two
    assert queries_of(third_org) == 3  # a third: other_org, the least recently used, leaves
    assert [queries_of(o) for o in (org, third_org)] == [1, 1]
    assert queries_of(other_org) == 3


def test_the_returned_topic_is_a_fresh_object(org: Organization, catalogue: dict[str, Topic]):
    first = topic_resolve(organization=org, query="Research")
    first.name = "changed by a caller"
    first.category.name = "changed too"
    again = topic_resolve(organization=org, query="Research")
    assert again.name == "Research" and again.category.name == "Internal"


# --- queries ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_topics", [0, 200])
def test_a_lookup_makes_a_fixed_number_of_queries(
    org: Organization, catalogue: dict[str, Topic], extra_topics: int, django_assert_max_num_queries
):
    category = Category.objects.get(organization=org, name="Internal")
    Topic.objects.bulk_create(
        Topic(organization=org, category=category, name=f"Filler {n:03d}") for n in range(extra_topics)
    )
    with django_assert_max_num_queries(3):  # cold: the version, aliases, topics with their categories
        topic_resolve(organization=org, query="Projcet Alpha")
    with django_assert_max_num_queries(1):  # warm: the version only; the topic comes from the entry
        topic = topic_resolve(organization=org, query="Projcet Alpha")
        assert topic.category.name == "Client Work"
    with django_assert_max_num_queries(1), pytest.raises(NotFound):
        topic_resolve(organization=org, query="xyzzy quux")


# --- rules ---------------------------------------------------------------------------------------------


@pytest.fixture
def clients(org: Organization) -> dict[str, Topic]:
    rows = [
        ("Contoso API", "Contoso"),
        ("Contoso API v2", "Contoso"),
        ("Contoso Support Portal", "Contoso"),
        ("Tailspin Booking Engine", "Tailspin"),
        ("DevOps", "Internal"),
        ("Code Reviews", "Internal"),
        ("Standup", "Meetings"),
        ("Board Meetings", "Meetings"),
    ]
    topics = {name: make_topic(org, name, category) for name, category in rows}
    topics["Contoso Pilot"] = make_topic(org, "Contoso Pilot", "Contoso", archived=True)
    return topics


@pytest.mark.parametrize(
    ("query", "outcome", "rule", "topic"),
    [
        ("code review", "resolved", "exact", "Code Reviews"),  # plural
        ("dev ops", "resolved", "exact", "DevOps"),  # split word
        ("TBE", "resolved", "initials", "Tailspin Booking Engine"),
        ("Contoso API - fix the pagination bug", "resolved", "name-in-query", "Contoso API"),
        ("contoso api version 2", "resolved", "name-in-query", "Contoso API v2"),
        ("Contoso Suport Portal", "resolved", "near-name", "Contoso Support Portal"),
        ("contoso api 2.0", "resolved", "exact", "Contoso API v2"),  # versions
        ("booking", "resolved", "tokens", "Tailspin Booking Engine"),
        ("contoso", "ambiguous", "category-only", None),
        ("meetings", "ambiguous", "category-only", None),
        ("Contoso Pilot", "archived", "exact", "Contoso Pilot"),
        ("contoso pilto", "archived", "near-name", "Contoso Pilot"),
        ("Standup for the Contoso API", "ambiguous", "name-in-query", None),
    ],
)
def test_each_rule_decides_and_is_reported(
    org: Organization, clients: dict[str, Topic], query: str, outcome: str, rule: str, topic: str | None
):
    resolution = matching.topic_resolution(organization=org, query=query)
    assert (resolution.outcome, resolution.rule) == (outcome, rule)
    chosen = resolution.topic if resolution.topic is not None else resolution.archived
    assert (resolution.prepared.names[chosen] if chosen is not None else None) == topic


def test_an_archived_name_is_a_404_that_says_so_and_never_a_live_sibling(org: Organization, clients):
    with pytest.raises(NotFound) as raised:
        topic_resolve(organization=org, query="contoso pilot")
    assert "archived" in raised.value.message
    assert raised.value.details["archived"]["name"] == "Contoso Pilot"
    assert "Contoso Pilot" not in {c["name"] for c in raised.value.details["candidates"]}


def test_a_category_alone_offers_its_topics(org: Organization, clients):
    with pytest.raises(Conflict) as raised:
        topic_resolve(organization=org, query="Contoso")
    assert {c["name"] for c in raised.value.details["candidates"]} == {
        "Contoso API",
        "Contoso API v2",
        "Contoso Support Portal",
    }


def test_the_version_triggers_are_reinstalled_by_migrate(org: Organization, catalogue: dict[str, Topic]):
    """SQLite drops a table's triggers when a migration rebuilds it; every migrate puts them back."""
    from django.apps import apps
    from django.db import connection

    from apps.topics.apps import _reinstall_catalog_triggers
    from apps.topics.catalog import catalog_triggers_drop, catalog_version

    research = Topic.objects.filter(pk=catalogue["Research"].pk)
    catalog_triggers_drop(connection)
    before = catalog_version(organization_id=org.pk)
    research.update(name="Without triggers")
    assert catalog_version(organization_id=org.pk) == before  # what a rebuilt SQLite table would do
    _reinstall_catalog_triggers(sender=apps.get_app_config("topics"), using="default")
    research.update(name="With triggers")
    assert catalog_version(organization_id=org.pk) != before
    assert topic_resolve(organization=org, query="with triggers") == catalogue["Research"]


# --- spellings, numbers, scripts, languages ---------------------------------------------------------


def test_no_form_of_the_terms_table_stands_for_two_terms():
    terms_of: dict[str, set[str]] = {}
    for english, forms in matching.TERMS.items():
        for form in (english, *forms):
            terms_of.setdefault(matching._stem(form), set()).add(english)
    assert {form: terms for form, terms in terms_of.items() if len(terms) > 1} == {}


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("Localisation", "localization"),
        ("Colour Palettes", "color palette"),
        ("Catalogue Import", "catalog import"),
        ("Climate Modeling", "climate modelling"),
        ("Analyse Logs", "analyze logs"),
    ],
)
def test_british_and_american_spellings_are_one_name(org: Organization, name: str, query: str):
    topic = make_topic(org, name, "Internal")
    resolution = matching.topic_resolution(organization=org, query=query)
    assert (resolution.topic, resolution.rule) == (resolution.prepared.by_id[topic.pk], "exact")


@pytest.mark.parametrize(
    ("name", "category", "query"),
    [
        ("1:1s", "Meetings", "one on ones"),
        ("Семинар по топологии", "Séminaires", "topologii"),
        ("Σύμβαση Αθήνας", "Kooperationen", "symvasi athinas"),
        ("Groupe de lecture", "Séminaires", "reading group"),
        ("Réseaux de neurones", "Projets", "neural networks"),
        ("Security Review", "Internal", "revisión de seguridad"),
        ("Belastingaangifte", "Administratie", "belasting aangifte"),
        ("Pull Request Reviews", "Internal", "PRs"),
        ("Web App", "Client Work", "github.com/acme/web-app"),
        ("Web App", "Client Work", "git@github.com:acme/web-app.git"),
    ],
)
def test_numbers_scripts_languages_and_addresses(org: Organization, name: str, category: str, query: str):
    make_topic(org, "Board Meetings", "Meetings")
    make_topic(org, "GitHub Sponsors", "Sponsors")
    make_topic(org, "Open Collective", "Sponsors")
    topic = make_topic(org, name, category)
    assert topic_resolve(organization=org, query=query) == topic


def test_a_word_written_as_in_one_name_beats_the_same_term_in_another_language(org: Organization):
    server = make_topic(org, "Migración del servidor", "Infraestructura")
    make_topic(org, "Ancien serveur de calcul", "Infraestructura", archived=True)
    make_topic(org, "Copias de seguridad", "Infraestructura")
    assert topic_resolve(organization=org, query="servidor") == server


def test_a_word_that_surely_means_another_category_is_ambiguous(org: Organization):
    make_topic(org, "Quokka Admin Panel", "Quokka")
    make_topic(org, "Quokka ORM", "Quokka")
    invoicing = make_topic(org, "Facturatie", "Administratie")
    make_topic(org, "Boekhouding", "Administratie")
    with pytest.raises(Conflict) as refused:
        topic_resolve(organization=org, query="admin")
    assert invoicing.name in {c["name"] for c in refused.value.details["candidates"]}


def test_a_category_named_in_another_language_is_the_category(org: Organization):
    make_topic(org, "Security Advisories", "Segurança")
    make_topic(org, "Fuzzing", "Segurança")
    with pytest.raises(Conflict):
        topic_resolve(organization=org, query="security")
