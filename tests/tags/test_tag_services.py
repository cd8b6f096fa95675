from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.tags.models import Tag
from apps.tags.services import tags_get_or_create
from tests.conftest import requires_postgres


def test_tags_get_or_create_ignores_case_and_spacing(org, tags):
    result = tags_get_or_create(organization=org, names=["Bug-Fix", " new   tag ", "NEW TAG", "feature"])
    assert [t.name for t in result] == ["bug-fix", "new tag", "feature"]
    assert result[0].pk == tags[0].pk
    assert Tag.objects.filter(organization=org).count() == 3


def test_tags_get_or_create_stays_in_the_organization(org, other_org, tags):
    (globex,) = tags_get_or_create(organization=other_org, names=["bug-fix"])
    assert globex.organization == other_org and globex.pk != tags[0].pk


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_creations_of_one_name_yield_one_tag(org):
    """The losers of the unique constraint fetch the winner's row instead of failing."""
    barrier = threading.Barrier(8)
    results: list[str] = []
    errors: list[BaseException] = []

    def create(spelling: str) -> None:
        try:
            barrier.wait()
            (tag,) = tags_get_or_create(organization=org, names=[spelling])
            results.append(tag.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(s,)) for s in ["Perf", "perf", "PERF", "pErF"] * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Tag.objects.filter(organization=org).count() == 1
    assert len(set(results)) == 1 and len(results) == 8
