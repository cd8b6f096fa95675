"""Reads of topics that more than one caller needs."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Max

from apps.clocked_times.models import ClockedTime
from apps.core.errors import DomainError, NotFound
from apps.organizations.actor import Actor
from apps.organizations.models import Organization
from apps.topics.matching import candidates_payload, resolution_error, topic_resolution
from apps.topics.models import Category, Topic, TopicRepository
from apps.topics.repositories import RepositoryChoice, repository_choose, repository_normalise

RECENT_TOPICS = 5


def topics_usable(*, organization_id: str) -> list[Topic]:
    """The organization's unarchived topics with their categories, by name: one query."""
    return list(
        Topic.objects.filter(organization_id=organization_id, archived=False)
        .select_related("category")
        .order_by("name", "id")
    )


def recent_topic_ids(*, user_id: int, limit: int = RECENT_TOPICS) -> list[str]:
    """The user's most recently used unarchived topics, newest first: one grouped query."""
    rows = (
        ClockedTime.objects.filter(user_id=user_id, topic__archived=False)
        .values("topic_id")
        .annotate(last=Max("start_time"))
        .order_by("-last", "topic_id")[:limit]
    )
    return [row["topic_id"] for row in rows]


@dataclass
class CategoryGroup:
    category: Category
    topics: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class TopicsForAgent:
    categories: list[CategoryGroup]
    recent_topic_ids: list[str]
    default_topic_id: str | None
    guidance: str


def topics_for_agent(*, actor: Actor) -> TopicsForAgent:
    """Everything an agent needs to pick a topic, in two queries whatever the number of topics.

    The default topic is the agent's configured one while it is usable, else the most recent one.
    """
    topics = topics_usable(organization_id=actor.organization.pk)
    recent = recent_topic_ids(user_id=actor.user.pk)
    recent_set = set(recent)
    groups: dict[str, CategoryGroup] = {}
    for topic in topics:
        group = groups.setdefault(topic.category_id, CategoryGroup(category=topic.category))
        group.topics.append({"id": topic.id, "name": topic.name, "recentlyUsed": topic.id in recent_set})
    usable_ids = {topic.id for topic in topics}
    configured = actor.agent.default_topic_id if actor.agent is not None else None
    fallback = recent[0] if recent else None
    default = configured if configured in usable_ids else fallback
    return TopicsForAgent(
        categories=sorted(groups.values(), key=lambda g: (g.category.name.casefold(), g.category.id)),
        recent_topic_ids=recent,
        default_topic_id=default,
        guidance=actor.organization.guidance,
    )


def topic_of(*, organization_id: str, topic_id: str) -> Topic:
    """The organization's topic with this id (archived too), with its category; 404 otherwise.

    Another organization's id is reported as missing, like one that never existed.
    """
    topic = (
        Topic.objects.select_related("category").filter(organization_id=organization_id, pk=topic_id).first()
    )
    if topic is None:
        raise NotFound("Topic not found.", code="TOPIC_NOT_FOUND", details={"topicId": topic_id})
    return topic


def topic_repository_choice(
    *, organization: Organization, repository: str
) -> RepositoryChoice[TopicRepository]:
    """Which of the organization's repository bindings decides for ``repository``: one query."""
    bindings = TopicRepository.objects.filter(organization=organization).select_related("topic__category")
    return repository_choose([(binding.pattern, binding) for binding in bindings], repository)


def topic_resolve_repository(*, organization: Organization, repository: str) -> Topic | None:
    """The unarchived topic bound to ``repository`` (a name, path or git remote URL), or None.

    Precedence is deterministic: an exact binding beats a glob, then the longer pattern wins; a tie, no
    binding, or a winner whose topic is archived gives None (never a less specific binding instead).
    """
    choice = topic_repository_choice(organization=organization, repository=repository)
    if choice.winner is None or choice.winner.topic.archived:
        return None
    return choice.winner.topic


@dataclass(frozen=True)
class TopicResolveExplanation:
    """What a timer start would decide for a query (or a repository), and why."""

    query: str | None
    repository: str | None
    resolved: bool
    topic: Topic | None  # with its category loaded
    rule: str
    score: float | None
    candidates: list[dict[str, object]]
    bindings: list[dict[str, str]]
    error: DomainError | None  # the refusal a start would answer with


def topic_resolve_explain(
    *, organization: Organization, query: str | None = None, repository: str | None = None
) -> TopicResolveExplanation:
    """The dry-run resolver: exactly one of ``query`` (a topic id, name or alias) and ``repository`` (a
    name or remote URL, through the bindings). Writes nothing. The REST resolve endpoints and the MCP
    ``resolve_topic`` tool both answer from it, so they cannot disagree with each other or with a start."""
    if query is not None:
        resolution = topic_resolution(organization=organization, query=query)
        resolved = resolution.topic is not None
        return TopicResolveExplanation(
            query=query,
            repository=None,
            resolved=resolved,
            topic=resolution.prepared.topic_instance(resolution.topic) if resolved else None,
            rule=resolution.rule,
            score=resolution.score,
            candidates=candidates_payload(resolution),
            bindings=[],
            error=None if resolved else resolution_error(resolution, query),
        )
    assert repository is not None
    choice = topic_repository_choice(organization=organization, repository=repository)
    winner = choice.winner
    resolved = winner is not None and not winner.topic.archived
    return TopicResolveExplanation(
        query=None,
        repository=repository_normalise(repository),
        resolved=resolved,
        topic=winner.topic if resolved else None,
        rule="repository-archived" if winner is not None and not resolved else choice.rule,
        score=None,
        candidates=[],
        bindings=[{"pattern": pattern, "topicId": binding.topic_id} for pattern, binding in choice.matched],
        error=None,
    )
