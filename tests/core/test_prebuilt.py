"""The prebuilt statements (apps/core/prebuilt.py) read and write what the ORM would have."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.utils import timezone
from oauth2_provider.models import get_access_token_model

from apps.agents.authentication import _access_token_load
from apps.agents.credentials import credential_digest
from apps.clocked_times.models import ONE_RUNNING_CONSTRAINT, ClockedTime
from apps.core.errors import NoActiveTimer
from apps.core.prebuilt import JoinedSelect, row_insert, row_update
from apps.timer.services import timer_start, timer_stop
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


def _prepared_like(pattern: str) -> int:
    """How many statements prepared on this connection match the LIKE ``pattern``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [pattern])
        return cursor.fetchone()[0]


def _prepared(marker: int) -> int:
    return _prepared_like(f"%{marker} = {marker}%")


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


def _entry(org: Any, owner: Any, topic: Any, **fields: Any) -> ClockedTime:
    start = timezone.now() - timedelta(hours=1)
    return ClockedTime(organization=org, user=owner, topic=topic, start_time=start, notes="n", **fields)


@pytest.mark.django_db
def test_row_insert_writes_what_save_writes(org: Any, owner: Any, topic: Any) -> None:
    saved = _entry(org, owner, topic, end_time=timezone.now())
    saved.save()
    inserted = row_insert(_entry(org, owner, topic, end_time=timezone.now()))
    assert inserted._state.adding is False
    stored = {entry.pk: entry for entry in ClockedTime.objects.filter(pk__in=[saved.pk, inserted.pk])}
    assert set(stored) == {saved.pk, inserted.pk}
    # Every column as save() would store it: defaults, auto_now_add, the same types back.
    ignore = {"id", "created_at", "updated_at", "start_time", "end_time"}
    assert {k: v for k, v in _values(stored[inserted.pk]).items() if k not in ignore} == {
        k: v for k, v in _values(stored[saved.pk]).items() if k not in ignore
    }
    assert _values(stored[inserted.pk]) == _values(inserted)
    assert inserted.created_at is not None and inserted.updated_at is not None


@pytest.mark.django_db
def test_row_insert_raises_djangos_integrity_error_on_a_constraint(org: Any, owner: Any, topic: Any) -> None:
    row_insert(_entry(org, owner, topic))  # running
    with pytest.raises(IntegrityError, match=ONE_RUNNING_CONSTRAINT), transaction.atomic():
        row_insert(_entry(org, owner, topic))  # a second running timer of the same tracker


@pytest.mark.django_db
def test_row_update_writes_the_fields_and_refreshes_auto_now(org: Any, owner: Any, topic: Any) -> None:
    entry = _entry(org, owner, topic)
    entry.save()
    before = entry.updated_at
    entry.notes = "changed"
    entry.end_time = timezone.now()
    entry.topic_id = None  # not named: must not be written
    row_update(entry, ["notes", "end_time"])
    stored = ClockedTime.objects.get(pk=entry.pk)
    assert (stored.notes, stored.end_time, stored.topic_id) == ("changed", entry.end_time, topic.pk)
    assert stored.updated_at == entry.updated_at > before


@pytest.mark.django_db(transaction=True)
def test_a_stop_with_no_timer_keeps_the_connections_prepared_statements(
    is_postgres: bool, org: Any, owner: Any, topic: Any
) -> None:
    # psycopg discards every prepared statement of a connection on ROLLBACK. A stop with nothing running
    # (hooks send them all day) commits its empty transaction instead, so the next requests do not pay
    # a round trip each to prepare again.
    if not is_postgres:
        pytest.skip("prepared statements are PostgreSQL's")
    timer_start(user=owner, organization=org, topic=topic)
    timer_stop(user=owner)
    assert _prepared_like("%FOR UPDATE%") == 1
    with pytest.raises(NoActiveTimer):
        timer_stop(user=owner)
    assert _prepared_like("%FOR UPDATE%") == 1
