"""Page-number pagination for list endpoints: ``page`` from 1, ``page_size`` capped at PAGE_SIZE_MAX."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1, help_text="From 1 (default 1).")
    # Larger requests are served at the cap rather than refused: a client asking for "everything" gets
    # as much as we give at once and follows the count.
    page_size = serializers.IntegerField(
        min_value=1,
        default=PAGE_SIZE_DEFAULT,
        help_text=f"Default {PAGE_SIZE_DEFAULT}; larger values are served at {PAGE_SIZE_MAX}.",
    )


@dataclass(frozen=True)
class Page:
    count: int
    page: int
    page_size: int
    items: list[Any]


def paginate(queryset: QuerySet, *, page: int, page_size: int) -> Page:
    """One COUNT and one SELECT of the page, whatever the table size."""
    page_size = min(page_size, PAGE_SIZE_MAX)
    count = queryset.count()
    offset = (page - 1) * page_size
    items = list(queryset[offset : offset + page_size]) if offset < count else []
    return Page(count=count, page=page, page_size=page_size, items=items)


def page_body(page: Page, results: Any) -> dict[str, Any]:
    return {"count": page.count, "page": page.page, "pageSize": page.page_size, "results": results}
