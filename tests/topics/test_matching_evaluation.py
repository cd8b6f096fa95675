"""The labelled evaluation set (tests/topics/evaluation): never a wrong guess, and a floor on accuracy.

A wrong guess is a query resolved to a topic other than its label, or resolved at all when the label
says ambiguous, none or archived. The floors sit just under the figures in docs/benchmarks.md; a change that
lowers one catalog's accuracy to raise another's fails here.
"""

from __future__ import annotations

import pytest

from apps.organizations.models import Organization
from tests.topics.evaluation import CATALOGS, Catalog
from tests.topics.evaluation.runner import Graded, catalog_load, evaluate

RESOLVABLE_FLOOR = 0.98  # right answers among resolvable queries, all catalogs together
# The same for each catalog on its own, just under what it gets (docs/benchmarks.md): none may fall to
# raise another.
CATALOG_FLOORS = {"consultancy": 0.97, "product": 0.98, "research": 0.99, "maintainer": 0.96}


_graded: dict[str, list[Graded]] = {}


@pytest.fixture
def graded(db: None) -> dict[str, list[Graded]]:
    """Every catalog loaded and every query graded once per run: the grades are plain data, kept after
    the first test's transaction rolls the catalogs back."""
    if not _graded:
        for catalog in CATALOGS:
            organization = Organization.objects.create(name=f"evaluation {catalog.name}")
            catalog_load(catalog, organization)
            _graded[catalog.name] = evaluate(catalog, organization)
    return _graded


def test_the_set_is_large_and_varied():
    assert sum(len(catalog.cases) for catalog in CATALOGS) >= 400
    for catalog in CATALOGS:
        assert {case.kind for case in catalog.cases} == {"resolvable", "ambiguous", "none", "archived"}


@pytest.mark.parametrize("catalog", CATALOGS, ids=[c.name for c in CATALOGS])
def test_no_wrong_guess(graded: dict[str, list[Graded]], catalog: Catalog):
    wrong = [
        (g.case.query, g.case.kind, g.answer, g.rule) for g in graded[catalog.name] if g.verdict == "wrong"
    ]
    assert wrong == []


@pytest.mark.parametrize("catalog", CATALOGS, ids=[c.name for c in CATALOGS])
def test_archived_names_are_reported_as_archived(graded: dict[str, list[Graded]], catalog: Catalog):
    missed = [
        g.case.query for g in graded[catalog.name] if g.case.kind == "archived" and g.verdict != "right"
    ]
    assert missed == []


def _accuracy(items: list[Graded]) -> float:
    resolvable = [g for g in items if g.case.kind == "resolvable"]
    return sum(g.verdict == "right" for g in resolvable) / len(resolvable)


def test_accuracy_floor(graded: dict[str, list[Graded]]):
    assert _accuracy([g for items in graded.values() for g in items]) >= RESOLVABLE_FLOOR
    assert set(CATALOG_FLOORS) == set(graded)
    for name, items in graded.items():
        assert _accuracy(items) >= CATALOG_FLOORS[name], name


def test_refusals_offer_the_plausible_topics(graded: dict[str, list[Graded]]):
    """Ambiguous queries name their plausible set among the candidates, so an agent can recover."""
    ambiguous = [g for items in graded.values() for g in items if g.case.kind == "ambiguous"]
    offered = sum(g.offered for g in ambiguous) / len(ambiguous)
    assert offered >= 0.9
