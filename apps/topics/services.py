"""Writes of categories and topics. Names are unique per organization ignoring case (database constraints).

These are the only write paths of the API for topics, so anything that must follow a topic change
(the fuzzy matcher's cached choices) can hook in here.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from apps.core.errors import Conflict, NotFound
from apps.core.names import name_clean
from apps.organizations.models import Organization
from apps.topics.models import Category, Topic
from apps.webhooks.events import project_event_record

NAME_MAX = 200
# Also shown by the admin when its delete page finds the rows that block a deletion.
CATEGORY_IN_USE_MESSAGE = "This category still has topics; move or delete them first."
TOPIC_IN_USE_MESSAGE = "Time has been logged on this topic; archive it instead of deleting it."


def _clean_name(name: str) -> str:
    return name_clean(name, max_length=NAME_MAX)


def _save_unique(obj: Category | Topic, *, code: str, fields: list[str] | None = None) -> None:
    """Save, turning the case-insensitive unique constraint's refusal into a 409."""
    model = type(obj)
    clash = model.objects.filter(organization_id=obj.organization_id, name__iexact=obj.name).exclude(
        pk=obj.pk
    )
    if clash.exists():
        raise Conflict(f"A {model._meta.verbose_name} named '{obj.name}' already exists.", code=code)
    try:
        with transaction.atomic():
            obj.save(update_fields=fields) if fields else obj.save()
    except IntegrityError as exc:
        raise Conflict(f"A {model._meta.verbose_name} named '{obj.name}' already exists.", code=code) from exc


def _category_of(*, organization_id: str, category_id: str) -> Category:
    category = Category.objects.filter(organization_id=organization_id, pk=category_id).first()
    if category is None:
        raise NotFound("Category not found.", code="CATEGORY_NOT_FOUND")
    return category


@transaction.atomic
def category_create(*, organization: Organization, name: str) -> Category:
    category = Category(organization=organization, name=_clean_name(name))
    _save_unique(category, code="CATEGORY_NAME_TAKEN")
    return category


@transaction.atomic
def category_update(*, category: Category, name: str) -> Category:
    """Rename a category. Topic payloads carry their category's name, so webhook subscribers get a
    ``project.updated`` for each of its topics."""
    cleaned = _clean_name(name)
    renamed = cleaned != category.name
    category.name = cleaned
    _save_unique(category, code="CATEGORY_NAME_TAKEN", fields=["name", "updated_at"])
    if renamed:
        for topic in category.topics.order_by("name"):
            topic.category = category
            project_event_record(name="project.updated", topic=topic)
    return category


@transaction.atomic
def category_delete(*, category: Category) -> None:
    """Delete an empty category; one that still holds topics (archived ones too) is refused."""
    try:
        category.delete()
    except ProtectedError as exc:
        raise Conflict(CATEGORY_IN_USE_MESSAGE, code="CATEGORY_IN_USE") from exc


@transaction.atomic
def topic_create(*, organization: Organization, name: str, category_id: str, archived: bool = False) -> Topic:
    category = _category_of(organization_id=organization.pk, category_id=category_id)
    topic = Topic(organization=organization, category=category, name=_clean_name(name), archived=archived)
    _save_unique(topic, code="TOPIC_NAME_TAKEN")
    project_event_record(name="project.created", topic=topic)
    return topic


@transaction.atomic
def topic_update(
    *, topic: Topic, name: str | None = None, category_id: str | None = None, archived: bool | None = None
) -> Topic:
    """Rename, move or (un)archive a topic. Archiving keeps its entries and hides it from agents."""
    fields = ["updated_at"]
    if name is not None:
        topic.name = _clean_name(name)
        fields.append("name")
    if category_id is not None:
        topic.category = _category_of(organization_id=topic.organization_id, category_id=category_id)
        fields.append("category")
    if archived is not None:
        topic.archived = archived
        fields.append("archived")
    _save_unique(topic, code="TOPIC_NAME_TAKEN", fields=fields)
    project_event_record(name="project.updated", topic=topic)
    return topic


@transaction.atomic
def topic_delete(*, topic: Topic) -> None:
    """Delete a topic nobody has logged time on; with entries it must be archived instead."""
    # Recorded first, since the payload needs the row; a refused delete rolls the event back with it.
    project_event_record(name="project.deleted", topic=topic)
    try:
        topic.delete()
    except ProtectedError as exc:
        raise Conflict(TOPIC_IN_USE_MESSAGE, code="TOPIC_IN_USE") from exc
