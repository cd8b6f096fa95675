"""The prebuilt credential lookup (apps/core/joined.py) gives what the ORM's select_related gave."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from oauth2_provider.models import get_access_token_model

from apps.agents.authentication import _access_token_load
from apps.agents.credentials import credential_digest
from apps.core.joined import JoinedSelect
from tests.fixtures.auth import issue_token


def _values(instance: Any) -> dict[str, Any]:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


@pytest.mark.django_db
def test_it_loads_the_token_and_its_relations_as_the_orm_does(owner_agent: Any) -> None:
    digest = credential_digest(issue_token(owner_agent))
    expected = (
        get_access_token_model()
        .objects.select_related("application__user__membership__organization", "origin__secret")
        .get(token_checksum=digest)
    )
    loaded = _access_token_load(digest)
    assert _values(loaded) == _values(expected)
    assert _values(loaded.application) == _values(expected.application)
    assert _values(loaded.application.user) == _values(expected.application.user)
    assert _values(loaded.application.user.membership) == _values(expected.application.user.membership)
    assert _values(loaded.application.user.membership.organization) == _values(
        expected.application.user.membership.organization
    )
    assert _values(loaded.origin.secret) == _values(expected.origin.secret)
    assert loaded.application.user is loaded.application.user.membership.user


@pytest.mark.django_db
def test_an_unknown_digest_is_none() -> None:
    assert _access_token_load(credential_digest("tat_nothing")) is None


def _select(marker: int) -> JoinedSelect:
    # A text of its own per test, so what an earlier test prepared on this connection does not count.
    return JoinedSelect(
        alias="t",
        model=get_access_token_model(),
        joins=[],
        where=f"t.token_checksum = %s AND {marker} = {marker}",
    )


def _prepared(marker: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{marker} = {marker}%"]
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_on_postgresql_the_lookup_is_a_prepared_statement(is_postgres: bool, owner_agent: Any) -> None:
    if not is_postgres:
        pytest.skip("prepared statements are PostgreSQL's")
    digest = credential_digest(issue_token(owner_agent))
    select = _select(2)
    assert select.fetch([digest]) is not None
    assert select.fetch([digest]) is not None
    assert _prepared(2) == 1


@pytest.mark.django_db
@override_settings(DATABASE_PREPARED_STATEMENTS=False)
def test_prepared_statements_can_be_switched_off(is_postgres: bool, owner_agent: Any) -> None:
    if not is_postgres:
        pytest.skip("prepared statements are PostgreSQL's")
    digest = credential_digest(issue_token(owner_agent))
    assert _select(3).fetch([digest]) is not None
    assert _prepared(3) == 0
