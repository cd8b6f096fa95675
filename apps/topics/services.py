"""Writes of categories, topics, topic aliases and repository bindings.

Names are unique per organization by their folded key (``name_key``: NFKC + casefold), held by database
constraints on the same key lookups use. Every write first takes the organization's catalog lock
(``catalog_lock``): topic names and aliases share one namespace, a check spanning two tables, and
concurrent writes then lock rows in one order. Every write here moves the organization's
catalog version (database triggers, ``apps.topics.catalog``), which is all topic matching needs to stay
current.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from apps.core.errors import Conflict, NotFound, ValidationFailed
from apps.core.names import name_clean, name_key
from apps.organizations.models import Organization
from apps.topics.catalog import catalog_lock
from apps.topics.events import project_event_record
from apps.topics.models import Category, Topic, TopicAlias, TopicRepository
from apps.topics.repositories import repository_normalise

NAME_MAX = 200
PATTERN_MAX = 300
# Also shown by the admin when its delete page finds the rows that block a deletion.
CATEGORY_IN_USE_MESSAGE = "This category still has topics; move or delete them first."
TOPIC_IN_USE_MESSAGE = "Time has been logged on this topic; archive it instead of deleting it."


def _clean_name(name: str, label: str = "A name") -> str:
    return name_clean(name, max_length=NAME_MAX, label=label)


def _saved(obj: Category | Topic | TopicAlias, *, taken: Conflict, fields: list[str] | None = None) -> None:
    """Save, turning the unique constraint's refusal (a concurrent write that won) into ``taken``."""
    try:
        with transaction.atomic():
            obj.save(update_fields=fields) if fields else obj.save()
    except IntegrityError as exc:
        raise taken from exc


def _topic_name_check_free(*, organization_id: str, name: str, topic_id: str | None = None) -> None:
    """Refuse a topic name or alias already used by another topic's name or by any alias.

    Call under ``catalog_lock``: the two tables have no shared constraint.
    """
    key = name_key(name)
    clash = Topic.objects.filter(organization_id=organization_id, name_key=key)
    if topic_id is not None:
        clash = clash.exclude(pk=topic_id)
    if clash.exists():
        raise Conflict(f"A topic named '{name}' already exists.", code="TOPIC_NAME_TAKEN")
    alias = (
        TopicAlias.objects.filter(organization_id=organization_id, name_key=key)
        .select_related("topic")
        .first()
    )
    if alias is not None:
        raise Conflict(
            f"'{name}' is already an alias of the topic '{alias.topic.name}'.",
            code="TOPIC_NAME_TAKEN",
            details={"topicId": alias.topic_id},
        )


def _category_name_taken(name: str) -> Conflict:
    return Conflict(f"A category named '{name}' already exists.", code="CATEGORY_NAME_TAKEN")


def _category_of(*, organization_id: str, category_id: str) -> Category:
    category = Category.objects.filter(organization_id=organization_id, pk=category_id).first()
    if category is None:
        raise NotFound("Category not found.", code="CATEGORY_NOT_FOUND")
    return category


def _category_check_free(*, organization_id: str, name: str, category_id: str | None = None) -> None:
    clash = Category.objects.filter(organization_id=organization_id, name_key=name_key(name))
    if category_id is not None:
        clash = clash.exclude(pk=category_id)
    if clash.exists():
        raise _category_name_taken(name)


@transaction.atomic
def category_create(*, organization: Organization, name: str) -> Category:
    category = Category(organization=organization, name=_clean_name(name))
    catalog_lock(organization_id=organization.pk)
    _category_check_free(organization_id=organization.pk, name=category.name)
    _saved(category, taken=_category_name_taken(category.name))
    return category


@transaction.atomic
def category_update(*, category: Category, name: str) -> Category:
    """Rename a category. Topic payloads carry their category's name, so webhook subscribers get a
    ``project.updated`` for each of its topics."""
    cleaned = _clean_name(name)
    catalog_lock(organization_id=category.organization_id)
    renamed = cleaned != category.name
    category.name = cleaned
    _category_check_free(organization_id=category.organization_id, name=cleaned, category_id=category.pk)
    _saved(category, taken=_category_name_taken(cleaned), fields=["name", "name_key", "updated_at"])
    if renamed:
        for topic in category.topics.order_by("name"):
            topic.category = category
            project_event_record(name="project.updated", topic=topic)
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete an empty category; one that still holds topics (archived ones too) is refused."""
    catalog_lock(organization_id=category.organization_id)
    try:
        category.delete()
    except ProtectedError as exc:
        raise Conflict(CATEGORY_IN_USE_MESSAGE, code="CATEGORY_IN_USE") from exc


def _topic_name_taken(name: str) -> Conflict:
    return Conflict(f"A topic named '{name}' already exists.", code="TOPIC_NAME_TAKEN")


@transaction.atomic
def topic_create(*, organization: Organization, name: str, category_id: str, archived: bool = False) -> Topic:
    category = _category_of(organization_id=organization.pk, category_id=category_id)
    topic = Topic(organization=organization, category=category, name=_clean_name(name), archived=archived)
    catalog_lock(organization_id=organization.pk)
    _topic_name_check_free(organization_id=organization.pk, name=topic.name)
    _saved(topic, taken=_topic_name_taken(topic.name))
    project_event_record(name="project.created", topic=topic)
    return topic


@transaction.atomic
def topic_update(
    *, topic: Topic, name: str | None = None, category_id: str | None = None, archived: bool | None = None
) -> Topic:
    """Rename, move or (un)archive a topic. Archiving keeps its entries and hides it from agents."""
    fields = ["updated_at"]
    catalog_lock(organization_id=topic.organization_id)
    if name is not None:
        topic.name = _clean_name(name)
        fields += ["name", "name_key"]
        _topic_name_check_free(organization_id=topic.organization_id, name=topic.name, topic_id=topic.pk)
    if category_id is not None:
        topic.category = _category_of(organization_id=topic.organization_id, category_id=category_id)
        fields.append("category")
    if archived is not None:
        topic.archived = archived
        fields.append("archived")
    _saved(topic, taken=_topic_name_taken(topic.name), fields=fields)
    project_event_record(name="project.updated", topic=topic)
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic) -> None:
    """Delete a topic nobody has logged time on; with entries it must be archived instead."""
    catalog_lock(organization_id=topic.organization_id)
    # Recorded first, since the payload needs the row; a refused delete rolls the event back with it.
    project_event_record(name="project.deleted", topic=topic)
    try:
        topic.delete()
    except ProtectedError as exc:
        raise Conflict(TOPIC_IN_USE_MESSAGE, code="TOPIC_IN_USE") from exc


# --- Aliases ------------------------------------------------------------------------------------------


@transaction.atomic
def topic_alias_create(*, topic: Topic, name: str) -> TopicAlias:
    """Give ``topic`` another name, free among the organization's topic names and aliases."""
    alias = TopicAlias(organization_id=topic.organization_id, topic=topic, name=_clean_name(name, "An alias"))
    catalog_lock(organization_id=topic.organization_id)
    _topic_name_check_free(organization_id=topic.organization_id, name=alias.name)
    _saved(alias, taken=_topic_name_taken(alias.name))
    return alias


@transaction.atomic
def topic_alias_update(*, alias: TopicAlias, name: str) -> TopicAlias:
    alias.name = _clean_name(name, "An alias")
    catalog_lock(organization_id=alias.organization_id)
    key = name_key(alias.name)
    if not TopicAlias.objects.filter(pk=alias.pk, name_key=key).exists():  # a respelling of itself is fine
        _topic_name_check_free(organization_id=alias.organization_id, name=alias.name)
    _saved(alias, taken=_topic_name_taken(alias.name), fields=["name", "name_key"])
    return alias


@transaction.atomic
def topic_alias_delete(*, alias: TopicAlias) -> None:
    catalog_lock(organization_id=alias.organization_id)
    alias.delete()


# --- Repository bindings ------------------------------------------------------------------------------


@transaction.atomic
def topic_repository_add(*, topic: Topic, pattern: str) -> TopicRepository:
    """Bind a repository name or glob pattern to ``topic``; stored normalised, unique per organization."""
    normalised = repository_normalise(pattern)
    if not normalised.strip("*?/"):
        raise ValidationFailed(
            "A repository pattern needs a name: 'contoso-*', 'acme/web' or a remote URL.",
            details={"pattern": ["Must name a repository, not only wildcards."]},
        )
    if len(normalised) > PATTERN_MAX:
        raise ValidationFailed(
            f"A repository pattern can be at most {PATTERN_MAX} characters.",
            details={"pattern": [f"At most {PATTERN_MAX} characters."]},
        )
    catalog_lock(organization_id=topic.organization_id)
    bindings = TopicRepository.objects.filter(organization_id=topic.organization_id)
    existing = bindings.filter(pattern=normalised).first()
    taken = Conflict(
        f"The repository pattern '{normalised}' is already bound to a topic.",
        code="REPOSITORY_PATTERN_TAKEN",
        details={"topicId": existing.topic_id if existing else None},
    )
    if existing is not None:
        raise taken
    binding = TopicRepository(organization_id=topic.organization_id, topic=topic, pattern=normalised)
    try:
        with transaction.atomic():
            binding.save()
    except IntegrityError as exc:
        raise taken from exc
    return binding


@transaction.atomic
def topic_repository_delete(*, binding: TopicRepository) -> None:
    catalog_lock(organization_id=binding.organization_id)
    binding.delete()
