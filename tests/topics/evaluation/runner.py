"""Load an evaluation catalog into an organization and grade the matcher's answer to each query."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from apps.organizations.models import Organization
from apps.topics.matching import Resolution, topic_resolution
from apps.topics.models import Category, Topic, TopicAlias
from tests.topics.evaluation.labels import Case, Catalog


@dataclass(frozen=True)
class Graded:
    case: Case
    verdict: str  # "right", "wrong" (a guess that is not the label), "refused" (a resolvable one missed)
    answer: str  # what the matcher said: a topic name, "archived: name", "ambiguous", "not found"
    rule: str
    offered: bool  # for a refusal: whether the expected topic(s) are among the candidates


def catalog_load(catalog: Catalog, organization: Organization) -> None:
    topics: dict[str, Topic] = {}
    for archived, groups in ((False, catalog.topics), (True, catalog.archived)):
        for category_name, names in groups.items():
            category, _ = Category.objects.get_or_create(organization=organization, name=category_name)
            for name in names:
                topics[name] = Topic.objects.create(
                    organization=organization, category=category, name=name, archived=archived
                )
    for topic_name, aliases in catalog.aliases.items():
        for alias in aliases:
            TopicAlias.objects.create(organization=organization, topic=topics[topic_name], name=alias)


def _answer(resolution: Resolution) -> str:
    prepared = resolution.prepared
    assert prepared is not None
    if resolution.topic is not None:
        return prepared.names[resolution.topic]
    if resolution.archived is not None:
        return f"archived: {prepared.names[resolution.archived]}"
    return resolution.outcome.replace("_", " ")


def grade(case: Case, resolution: Resolution) -> Graded:
    prepared = resolution.prepared
    assert prepared is not None
    answer = _answer(resolution)
    offered_names = {prepared.names[topic] for topic, _score in resolution.candidates}
    if case.kind == "resolvable":
        verdict = (
            "right" if answer in case.expected else ("wrong" if resolution.topic is not None else "refused")
        )
    elif case.kind == "archived":
        if resolution.topic is not None:
            verdict = "wrong"
        else:
            verdict = "right" if answer == f"archived: {next(iter(case.expected))}" else "refused"
    else:  # ambiguous or none: any refusal is right, any pick is a wrong guess
        verdict = "wrong" if resolution.topic is not None else "right"
    offered = bool(case.expected) and (
        case.expected <= offered_names or len(offered_names & case.expected) >= 5
    )
    return Graded(case, verdict, answer, resolution.rule, offered)


def evaluate(catalog: Catalog, organization: Organization) -> list[Graded]:
    return [
        grade(case, topic_resolution(organization=organization, query=case.query)) for case in catalog.cases
    ]


def summary(graded: list[Graded]) -> dict[str, Counter]:
    """Counts of verdicts per kind of query."""
    out: dict[str, Counter] = {}
    for item in graded:
        out.setdefault(item.case.kind, Counter())[item.verdict] += 1
    return out
