"""Resolving the ``topic`` an agent names (an id or a name) to one of its organization's topics.

``topic_resolve`` returns the unarchived Topic (with its category loaded) or raises NotFound (code
TOPIC_NOT_FOUND) / Conflict (code TOPIC_AMBIGUOUS) with the closest candidates, closest first, in
``details["candidates"]`` as ``[{"id", "name", "category", "score"}]``. It never guesses: a weak best
match is "not found" and two candidates that score too close together are "ambiguous".

Order of the rules:

1. the id of an unarchived topic of the organization;
2. a normalised exact name, or "category name" (case, spacing and punctuation ignored);
3. something shaped like a topic id that is not one of ours: not found, without candidates (an
   id of another organization must not be answered with our topics' names);
4. fuzzy scoring (0-100) of every topic, keeping the best score of:
   - rapidfuzz ``ratio`` of the query against the name (typos),
   - the same with the words of both sides sorted, against the name and against "category name"
     (word order, category-qualified names),
   - ``PARTIAL_SCORE`` when every query word is a word, or the prefix (3+ letters) of a word, of the
     topic's name or category and at least one of them belongs to the name (partial names,
     "Client Work: alpha");
   best below ``ACCEPT_SCORE``: not found; runner-up within ``AMBIGUITY_MARGIN`` of the best: ambiguous.

The thresholds and the reasoning behind them are written down in README.md ("Topic matching").

Speed: the organization's prepared strings live in a per-process cache keyed by organization and a
version held in Django's cache (Redis in production), so a warm lookup makes no database query for the
choices and one to fetch the chosen topic. ``apps.topics.signals`` bumps the version when a topic or
category of the organization is saved or deleted; ``QuerySet.update()`` and ``bulk_create`` send no
signals, so code using them must call ``topic_choices_invalidate``. As a backstop a prepared entry is
rebuilt after ``MAX_AGE_SECONDS``, and a cached choice whose row is gone or archived triggers a rebuild.
"""

from __future__ import annotations

import bisect
import heapq
import logging
import re
import threading
import time
import unicodedata
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field

from django.core.cache import cache
from rapidfuzz import fuzz, process

from apps.core.cache_breaker import cache_failed, cache_is_down
from apps.core.errors import Conflict, NotFound
from apps.organizations.models import Organization
from apps.topics.models import Topic

logger = logging.getLogger(__name__)

# Thresholds (see README "Topic matching" for the reasoning).
ACCEPT_SCORE = 80.0  # one typo in a 5-letter name scores 80; two substitutions in 13 letters about 85
AMBIGUITY_MARGIN = 5.0  # about one inserted character in a 13-letter name (3.7 points), with room
PARTIAL_SCORE = 90.0  # every query word found in the topic: a clear, but not an exact, match
CANDIDATE_FLOOR = 50.0  # below this a topic is noise, not a suggestion
MAX_CANDIDATES = 5
MIN_PARTIAL_LENGTH = 3  # "a", "of", "ml" are too short to pick a topic by a word they contain
MAX_QUERY_LENGTH = 500  # a name plus its category is at most 401 characters; longer is not a topic

MAX_AGE_SECONDS = 300  # bounds staleness from writes that send no signal (QuerySet.update, rollbacks)
# Per process, least recently used first out: 10,000 prepared topics take about 15 MB.
MAX_CACHED_ORGANIZATIONS = 256
MAX_CACHED_TOPICS = 50_000
# Versions outlive any process's entry; expiring lets deleted organizations' keys go. An expired version
# is recreated with a new random value, which only costs each process one rebuild.
VERSION_TIMEOUT_SECONDS = 7 * 24 * 3600

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_TOPIC_ID = re.compile(r"^top-[a-z2-7]{16}$")


def normalise(text: str) -> str:
    """Casefolded, accent-free words separated by single spaces: ``"  Client-Work /ALPHA "`` →
    ``"client work alpha"``, ``"Café Relaunch"`` → ``"cafe relaunch"`` (agents often type without accents)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_NON_WORD.sub(" ", plain).split())


def _sorted_words(normalised: str) -> str:
    return " ".join(sorted(normalised.split()))


# --- Prepared choices ---------------------------------------------------------------------------------


@dataclass
class _Prepared:
    """An organization's unarchived topics as strings ready for matching; index i is one topic."""

    version: str
    built_at: float
    ids: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    by_id: dict[str, int] = field(default_factory=dict)
    exact: dict[str, list[int]] = field(default_factory=dict)  # normalised name / "category name"
    plain: list[str] = field(default_factory=list)  # normalised name
    plain_sorted: list[str] = field(default_factory=list)
    qualified_sorted: list[str] = field(default_factory=list)
    name_words: dict[str, set[int]] = field(default_factory=dict)  # word -> topics with it in the name
    all_words: dict[str, set[int]] = field(default_factory=dict)  # word -> topics with it in name/category
    vocabulary: list[str] = field(default_factory=list)  # sorted keys of all_words, for prefix lookups

    @classmethod
    def build(cls, organization_id: str, version: str) -> _Prepared:
        rows = (
            Topic.objects.filter(organization_id=organization_id, archived=False)
            .order_by("name", "id")
            .values_list("id", "name", "category__name")
        )
        prepared = cls(version=version, built_at=time.monotonic())
        for index, (topic_id, name, category) in enumerate(rows):
            plain = normalise(name)
            qualified = normalise(f"{category} {name}")
            prepared.ids.append(topic_id)
            prepared.names.append(name)
            prepared.categories.append(category)
            prepared.by_id[topic_id] = index
            prepared.plain.append(plain)
            prepared.plain_sorted.append(_sorted_words(plain))
            prepared.qualified_sorted.append(_sorted_words(qualified))
            for key in {plain, qualified}:
                prepared.exact.setdefault(key, []).append(index)
            for word in plain.split():
                prepared.name_words.setdefault(word, set()).add(index)
            for word in qualified.split():
                prepared.all_words.setdefault(word, set()).add(index)
        prepared.vocabulary = sorted(prepared.all_words)
        return prepared

    def topics_with_word(self, word: str, *, name_only: bool) -> set[int]:
        """Topics having ``word`` as a word, or (3+ letters) as the start of a word."""
        index = self.name_words if name_only else self.all_words
        found = set(index.get(word, ()))
        if len(word) >= MIN_PARTIAL_LENGTH:
            position = bisect.bisect_left(self.vocabulary, word)
            while position < len(self.vocabulary) and self.vocabulary[position].startswith(word):
                found |= index.get(self.vocabulary[position], set())
                position += 1
        return found


def _version_key(organization_id: str) -> str:
    return f"topics:choices-version:{organization_id}"


def topic_choices_invalidate(*, organization_id: str) -> None:
    """Tell every process that this organization's topics changed (a new random version)."""
    # The cache being down must not fail the write; MAX_AGE_SECONDS bounds how long others stay stale.
    if cache_is_down():
        return
    try:
        cache.set(_version_key(organization_id), uuid.uuid4().hex, timeout=VERSION_TIMEOUT_SECONDS)
    except Exception as error:
        cache_failed(error, logger=logger, fallback=f"topic choices version of {organization_id} not bumped")


def _current_version(organization_id: str) -> str | None:
    """The shared version, created if missing (random, so a flushed cache never reuses an old one)."""
    key = _version_key(organization_id)
    if cache_is_down():
        return None
    try:
        version = cache.get(key)
        if version is None:
            cache.add(key, uuid.uuid4().hex, timeout=VERSION_TIMEOUT_SECONDS)
            version = cache.get(key)
    except Exception as error:
        cache_failed(error, logger=logger, fallback="topic matching runs without its cache")
        return None
    return version


class ChoicesCache:
    """Per-process prepared choices, one version per organization, least recently used evicted first."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, _Prepared] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, organization_id: str, *, fresh: bool = False) -> _Prepared:
        version = _current_version(organization_id)
        if version is None:  # no shared cache: no way to know when to rebuild, so do not keep it
            return _Prepared.build(organization_id, "")
        with self._lock:
            entry = self._entries.get(organization_id)
            if (
                entry is not None
                and not fresh
                and entry.version == version
                and time.monotonic() - entry.built_at < MAX_AGE_SECONDS
            ):
                self._entries.move_to_end(organization_id)
                return entry
        # Built outside the lock: two threads may both build once, which is cheaper than serialising.
        entry = _Prepared.build(organization_id, version)
        with self._lock:
            self._entries[organization_id] = entry
            self._entries.move_to_end(organization_id)
            # The entry just stored stays even when it alone is over the topic budget.
            while len(self._entries) > 1 and (
                len(self._entries) > MAX_CACHED_ORGANIZATIONS
                or sum(len(e.ids) for e in self._entries.values()) > MAX_CACHED_TOPICS
            ):
                self._entries.popitem(last=False)
        return entry


_choices = ChoicesCache()


# --- Scoring ------------------------------------------------------------------------------------------


def _ranked(prepared: _Prepared, wanted: str) -> list[tuple[int, float]]:
    """The closest topics as (index, score), best first, ties by name; at most MAX_CANDIDATES."""
    best: dict[int, float] = {}
    wanted_sorted = _sorted_words(wanted)
    # The top few of each pass are enough: a topic missing from a pass's top few is beaten there by
    # that many others, which then rank above it overall too. processor=None: both sides are normalised.
    for query, choices in (
        (wanted, prepared.plain),
        (wanted_sorted, prepared.plain_sorted),
        (wanted_sorted, prepared.qualified_sorted),
    ):
        for _choice, score, index in process.extract(
            query,
            choices,
            scorer=fuzz.ratio,
            processor=None,
            limit=MAX_CANDIDATES,
            score_cutoff=CANDIDATE_FLOOR,
        ):
            if score > best.get(index, 0.0):
                best[index] = score
    if len(wanted) >= MIN_PARTIAL_LENGTH:
        words = wanted.split()
        covering = set.intersection(*(prepared.topics_with_word(w, name_only=False) for w in words))
        if covering:
            # At least one query word must name the topic itself: "Client Work" alone names a category.
            naming = set().union(*(prepared.topics_with_word(w, name_only=True) for w in words))
            for index in covering & naming:
                if best.get(index, 0.0) < PARTIAL_SCORE:
                    best[index] = PARTIAL_SCORE
    return heapq.nsmallest(MAX_CANDIDATES, best.items(), key=lambda item: (-item[1], item[0]))


def _candidates(prepared: _Prepared, ranked: list[tuple[int, float]]) -> list[dict[str, object]]:
    return [
        {
            "id": prepared.ids[index],
            "name": prepared.names[index],
            "category": prepared.categories[index],
            "score": round(score, 1),
        }
        for index, score in ranked
    ]


def _shown(query: str) -> str:
    """The query as echoed in messages, cut short so a huge input does not make a huge answer."""
    return query if len(query) <= 100 else query[:100] + "…"


def _not_found(query: str, candidates: list[dict[str, object]]) -> NotFound:
    return NotFound(
        f"No topic matches '{_shown(query)}'.", code="TOPIC_NOT_FOUND", details={"candidates": candidates}
    )


def _ambiguous(query: str, candidates: list[dict[str, object]]) -> Conflict:
    return Conflict(
        f"'{_shown(query)}' matches several topics; use an id or a more precise name.",
        code="TOPIC_AMBIGUOUS",
        details={"candidates": candidates},
    )


def _choose(prepared: _Prepared, query: str) -> int:
    """The index of the designated topic, or raise NotFound / Conflict."""
    stripped = query.strip()
    if stripped.lower() in prepared.by_id:
        return prepared.by_id[stripped.lower()]
    wanted = normalise(query)
    if not wanted or len(wanted) > MAX_QUERY_LENGTH:
        raise _not_found(query, [])
    exact = prepared.exact.get(wanted, [])
    if len(exact) == 1:
        return exact[0]
    if exact:
        # "Front-end" and "Front End" normalise alike; the name typed exactly (ignoring case) settles it.
        typed = [i for i in exact if prepared.names[i].casefold() == stripped.casefold()]
        if len(typed) == 1:
            return typed[0]
        ranked = [(i, 100.0) for i in exact[:MAX_CANDIDATES]]
        raise _ambiguous(query, _candidates(prepared, ranked))
    if _TOPIC_ID.match(stripped.lower()):
        raise _not_found(query, [])

    ranked = _ranked(prepared, wanted)
    if not ranked or ranked[0][1] < ACCEPT_SCORE:
        raise _not_found(query, _candidates(prepared, ranked))
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] <= AMBIGUITY_MARGIN:
        raise _ambiguous(query, _candidates(prepared, ranked))
    return ranked[0][0]


def topic_resolve(*, organization: Organization, query: str) -> Topic:
    """The unarchived topic of ``organization`` that ``query`` (an id or a name) designates.

    Returned with ``category`` loaded. Raises NotFound (TOPIC_NOT_FOUND) or Conflict (TOPIC_AMBIGUOUS)
    with ``details["candidates"]``.
    """
    for fresh in (False, True):
        prepared = _choices.get(organization.pk, fresh=fresh)
        chosen_id = prepared.ids[_choose(prepared, query)]
        topic = (
            Topic.objects.select_related("category")
            .filter(organization=organization, archived=False, pk=chosen_id)
            .first()
        )
        if topic is not None:
            return topic
        # The cached choice was deleted, archived or moved by a write that sent no signal: rebuild once.
        topic_choices_invalidate(organization_id=organization.pk)
    raise _not_found(query, [])
