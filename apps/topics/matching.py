"""Resolving the ``topic`` an agent names (an id or a name) to one of its organization's topics.

This first version matches ids and normalised exact names (case, spacing, punctuation); fuzzy matching
with rapidfuzz builds on ``normalise`` and ``topic_resolve``'s contract:
returns the Topic, or raises NotFound (code TOPIC_NOT_FOUND) / Conflict (code TOPIC_AMBIGUOUS) with the
closest candidates in ``details["candidates"]`` as ``[{"id", "name", "category", "score"}]``.
"""

import re

from apps.core.errors import NotFound
from apps.organizations.models import Organization
from apps.topics.models import Topic

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def topic_resolve(*, organization: Organization, query: str) -> Topic:
    """The unarchived topic of ``organization`` that ``query`` (an id or a name) designates."""
    topics = Topic.objects.filter(organization=organization, archived=False).select_related("category")
    by_id = next((t for t in topics if t.id == query.strip()), None)
    if by_id is not None:
        return by_id
    wanted = normalise(query)
    for topic in topics:
        if normalise(topic.name) == wanted:
            return topic
    raise NotFound(f"No topic matches '{query}'.", code="TOPIC_NOT_FOUND", details={"candidates": []})
