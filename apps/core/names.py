"""The rules for names people type (tags, categories, topics, topic aliases).

``name_clean`` is what is stored; ``name_key`` is the one case folding used by both the unique
constraints (a ``NameKeyField`` column, unique per organization) and every lookup by name, so the two
can never disagree (they did: the index folded with ``lower()`` and lookups with ``UPPER``, and the
Kelvin sign made a tag name unusable).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.db import models

from apps.core.errors import ValidationFailed


def name_clean(name: str, *, max_length: int, label: str = "A name") -> str:
    """``name`` with runs of whitespace collapsed to one space and none at the ends; refused (400, with
    the message under ``details["name"]``) when that leaves nothing or more than ``max_length`` characters."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationFailed(f"{label} cannot be empty.", details={"name": ["May not be blank."]})
    if len(cleaned) > max_length:
        raise ValidationFailed(
            f"{label} can be at most {max_length} characters.",
            details={"name": [f"At most {max_length} characters."]},
        )
    return cleaned


def name_key(name: str) -> str:
    """The folded form two names must not share: NFKC, full case folding, NFKC again, spaces collapsed.

    Unicode's NFKC_Casefold in practice: the Kelvin sign "K" is "k", "ẞ", "ß" and "SS" are all "ss",
    the ligature "ﬁ" is "fi", full-width letters are plain ones. Folding can change a string's length
    (casefolding ß doubles it), so keys live in a text column.
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


class NameKeyField(models.TextField):
    """``name_key`` of the model's ``source`` field, computed on every insert and save that writes it.

    Like ``auto_now``, the value comes from ``pre_save``, which Django calls for ``save()``, ``create()``
    and ``bulk_create()``, so no write path can forget it. ``save(update_fields=[...])`` must list this
    field with the name (the services do); ``QuerySet.update(name=...)`` bypasses it and must not be used
    for names.
    """

    def __init__(self, *args: Any, source: str = "name", **kwargs: Any) -> None:
        self.source = source
        kwargs["editable"] = False
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = name_key(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        if self.source != "name":
            kwargs["source"] = self.source
        return name, path, args, kwargs


def name_keys_backfill(model: type[models.Model], *, max_length: int) -> None:
    """Fill ``name_key`` on existing rows (data migrations), keeping keys unique per organization.

    Rows that only the new folding makes equal ("Straße" and "STRASSE", a Kelvin-sign "K") cannot both
    keep their name under the new constraint: the oldest keeps it, the others get " (2)", " (3)"… so no
    row (nor what refers to it) is lost. Works with the migration's historical model.
    """
    seen: set[tuple[str, str]] = set()
    for row in model._default_manager.order_by("organization_id", "pk").only("pk", "organization_id", "name"):
        name, suffix = row.name, 1
        while (row.organization_id, name_key(name)) in seen:
            suffix += 1
            tail = f" ({suffix})"
            name = row.name[: max_length - len(tail)] + tail
        seen.add((row.organization_id, name_key(name)))
        model._default_manager.filter(pk=row.pk).update(name=name, name_key=name_key(name))
