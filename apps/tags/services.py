"""Writes of tags. Names are unique per organization by their folded key (``name_key``: NFKC + casefold),
held by a database constraint on the same key every lookup uses."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from apps.core.errors import Conflict
from apps.core.names import name_clean, name_key
from apps.organizations.models import Organization
from apps.tags.models import Tag

TAG_NAME_MAX = 100


def _clean_name(name: str) -> str:
    return name_clean(name, max_length=TAG_NAME_MAX, label="A tag name")


def _name_taken() -> Conflict:
    return Conflict("A tag with this name already exists.", code="TAG_NAME_TAKEN")


@transaction.atomic
def tags_get_or_create(*, organization: Organization, names: Iterable[str]) -> list[Tag]:
    """The organization's tags for ``names`` in the order given, creating the missing ones.

    Matching uses the folded key (case, compatibility forms and surrounding/multiple spaces ignored), so
    "Bug-Fix" finds "bug-fix", "kelvin" finds a name written with the Kelvin sign, and a name given twice
    yields one tag. A concurrent creation of the same name is absorbed: the loser of the
    unique constraint fetches the winner's row.
    """
    wanted: dict[str, str] = {}
    for name in names:
        cleaned = _clean_name(name)
        wanted.setdefault(name_key(cleaned), cleaned)
    if not wanted:
        return []
    found = {tag.name_key: tag for tag in Tag.objects.filter(organization=organization, name_key__in=wanted)}
    result = []
    for key, name in wanted.items():
        tag = found.get(key)
        if tag is None:
            try:
                with transaction.atomic():
                    tag = Tag.objects.create(organization=organization, name=name)
            except IntegrityError:
                tag = Tag.objects.get(organization=organization, name_key=key)
        result.append(tag)
    return result


def _check_free(*, organization_id: str, name: str, exclude_id: str | None = None) -> None:
    clash = Tag.objects.filter(organization_id=organization_id, name_key=name_key(name))
    if exclude_id:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise Conflict(f"A tag named '{name}' already exists.", code="TAG_NAME_TAKEN")


@transaction.atomic
def tag_create(*, organization: Organization, name: str) -> Tag:
    name = _clean_name(name)
    _check_free(organization_id=organization.pk, name=name)
    try:
        with transaction.atomic():
            return Tag.objects.create(organization=organization, name=name)
    except IntegrityError as exc:
        raise _name_taken() from exc


@transaction.atomic
def tag_update(*, tag: Tag, name: str) -> Tag:
    name = _clean_name(name)
    _check_free(organization_id=tag.organization_id, name=name, exclude_id=tag.pk)
    tag.name = name
    try:
        with transaction.atomic():
            tag.save(update_fields=["name", "name_key"])
    except IntegrityError as exc:
        raise _name_taken() from exc
    return tag


def tag_delete(*, tag: Tag) -> None:
    """Delete the tag; entries keep existing without it."""
    tag.delete()
