"""The label helpers and the catalog shape of the evaluation set (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    query: str
    kind: str  # "resolvable", "ambiguous", "none", "archived"
    expected: frozenset[str] = frozenset()


def R(query: str, topic: str) -> Case:
    return Case(query, "resolvable", frozenset({topic}))


def A(query: str, topics: set[str]) -> Case:
    return Case(query, "ambiguous", frozenset(topics))


def N(query: str) -> Case:
    return Case(query, "none")


def X(query: str, topic: str) -> Case:
    return Case(query, "archived", frozenset({topic}))


@dataclass
class Catalog:
    name: str
    topics: dict[str, list[str]]  # category -> topic names
    archived: dict[str, list[str]] = field(default_factory=dict)  # category -> archived topic names
    aliases: dict[str, list[str]] = field(default_factory=dict)  # topic -> aliases
    cases: list[Case] = field(default_factory=list)

    def category_topics(self, category: str) -> set[str]:
        return set(self.topics.get(category, []))
