"""Statements for the hot paths, written once per process instead of compiled by the ORM on every call.

On the endpoints agents call all day (authentication, timer status, start and stop, token issuance) the
ORM's per-call compilation cost more than running the statements. Here the SQL is built once from the
models' metadata (a column added by a migration is picked up without editing SQL) and, on PostgreSQL,
prepared per connection. :class:`JoinedSelect` reads a chain of joined models into instances exactly as
``select_related`` would; :func:`row_insert` and :func:`row_update` write as ``save()`` would for models
without signals. Everything else should stay ordinary ORM code.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model

try:
    import psycopg
except ImportError:  # SQLite-only installs
    psycopg = None


if psycopg is not None:

    class _PreparedCursor(psycopg.Cursor):
        """Server-side binding, prepared on first use per connection: PostgreSQL then skips planning the
        join on every call (planning costs several times the execution of this indexed lookup)."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True, **kwargs)


def statement_run(
    sql: str, params: Sequence[Any], *, using: str = "default", rows: bool = True
) -> tuple[Any, ...] | None:
    """Run one statement written once in our code (not built per call) and return its first row, if any
    (``rows=False`` for a statement that returns none: an UPDATE or INSERT without RETURNING).

    On PostgreSQL it is prepared on first use per connection (DATABASE_PREPARED_STATEMENTS), so the server
    parses and plans it once; the hot paths (authentication, the timer's lock and its writes) run a
    handful of these per request, and planning costs as much as running such an indexed statement.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS or psycopg is None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if rows else None
    connection.ensure_connection()
    started = time.monotonic()
    # Django's plain wrapper turns errors into django.db exceptions. Its debug wrapper would log this
    # query without its text (psycopg keeps none for prepared statements), so it is logged here.
    with connection.make_cursor(_PreparedCursor(connection.connection)) as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone() if rows else None
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": connection.ops.compose_sql(sql, params), "time": f"{time.monotonic() - started:.3f}"}
        )
    return row


@dataclass(frozen=True)
class Join:
    """A model joined in as ``alias``; ``on`` is the SQL condition over aliases (``a.id = t.agent_id``).
    Outer joins yield None for the model when nothing matches."""

    alias: str
    model: type[Model]
    on: str
    outer: bool = False


class JoinedSelect:
    def __init__(
        self,
        *,
        alias: str,
        model: type[Model],
        joins: Sequence[Join],
        where: str,
        extras: Sequence[tuple[str, str]] = (),
        order_by: str = "",
        using: str = "default",
        with_: str = "",
        source: str = "",
    ) -> None:
        """``where`` is SQL over aliases with ``%s`` placeholders; ``extras`` are named scalar SQL
        expressions selected after the models' columns (returned as plain values); ``order_by`` picks
        which row comes first when several match.

        ``with_`` is a WITH clause's body and ``source`` the relation the first model is read from
        instead of its table, typically that clause's name: ``stopped AS (UPDATE ... RETURNING *)``
        writes a row and reads it back, joined, in one round trip. Its placeholders come first."""
        self._parts = [Join(alias, model, ""), *joins]
        self._where = where
        self._extras = list(extras)
        self._order_by = order_by
        self._using = using
        self._with = with_
        self._source = source
        self._sql: str | None = None
        self._layout: list[tuple[Join, list[str], list[Any], int]] = []

    def _compile(self) -> tuple[str, list[tuple[Join, list[str], list[Any], int]]]:
        connection = connections[self._using]
        quote = connection.ops.quote_name
        columns: list[str] = []
        layout = []
        for part in self._parts:
            fields = part.model._meta.concrete_fields
            converters = []
            for field in fields:
                expression = field.get_col(part.alias)
                found = [
                    *connection.ops.get_db_converters(expression),
                    *expression.get_db_converters(connection),
                ]
                converters.append((found, expression) if found else None)
            layout.append((part, [field.attname for field in fields], converters, len(columns)))
            columns += [f"{part.alias}.{quote(field.column)}" for field in fields]
        columns += [f"({sql}) AS {quote(name)}" for name, sql in self._extras]
        base = self._parts[0]
        tables = [f"{self._source or quote(base.model._meta.db_table)} {base.alias}"]
        for part in self._parts[1:]:
            kind = "LEFT OUTER JOIN" if part.outer else "INNER JOIN"
            tables.append(f"{kind} {quote(part.model._meta.db_table)} {part.alias} ON ({part.on})")
        # Every piece is a quoted identifier or SQL written in our code; values only ever go in as params.
        sql = f"SELECT {', '.join(columns)} FROM {' '.join(tables)} WHERE {self._where}"  # noqa: S608
        if self._with:
            sql = f"WITH {self._with} {sql}"
        if self._order_by:
            sql += f" ORDER BY {self._order_by}"
        sql += " LIMIT 1"
        return sql, layout

    def fetch(self, params: Sequence[Any]) -> tuple[dict[str, Model | None], dict[str, Any]] | None:
        """The first row as ``({alias: instance or None}, {extra name: value})``, or None."""
        connection = connections[self._using]
        if self._sql is None:
            # Built on first use, when the app registry and the connection's vendor are known. Two threads
            # racing here build the same text; each assigns a complete layout before the SQL.
            sql, layout = self._compile()
            self._layout = layout
            self._sql = sql
        row = statement_run(self._sql, list(params), using=self._using)
        if row is None:
            return None
        instances: dict[str, Model | None] = {}
        for part, attnames, converters, offset in self._layout:
            values = list(row[offset : offset + len(attnames)])
            pk_index = attnames.index(part.model._meta.pk.attname)
            if part.outer and values[pk_index] is None:
                instances[part.alias] = None
                continue
            for index, conversion in enumerate(converters):
                if conversion is not None:
                    found, expression = conversion
                    for converter in found:
                        values[index] = converter(values[index], expression, connection)
            instances[part.alias] = part.model.from_db(self._using, attnames, values)
        width = sum(len(attnames) for _, attnames, _, _ in self._layout)
        extras = {name: row[width + index] for index, (name, _) in enumerate(self._extras)}
        return instances, extras


@functools.cache
def _insert_sql(model: type[Model], using: str) -> tuple[str, tuple[Any, ...]]:
    quote = connections[using].ops.quote_name
    fields = tuple(model._meta.concrete_fields)
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})", fields  # noqa: S608


@functools.cache
def _update_sql(model: type[Model], names: tuple[str, ...], using: str) -> tuple[str, tuple[Any, ...]]:
    """The UPDATE of ``names`` plus the model's ``auto_now`` fields (as ``save()`` refreshes them)."""
    quote = connections[using].ops.quote_name
    auto_now = [field.name for field in model._meta.concrete_fields if getattr(field, "auto_now", False)]
    fields = tuple(model._meta.get_field(name) for name in dict.fromkeys([*names, *auto_now]))
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    pk = quote(model._meta.pk.column)
    return f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk} = %s", fields  # noqa: S608


def row_insert(instance: Model, *, using: str = "default") -> Model:
    """``instance.save()`` for a new row whose primary key is set in Python (a default such as a random
    id), as one prepared INSERT whose text is built once per model.

    The values are what ``save()`` writes (each field's ``pre_save``, so ``auto_now_add`` is filled, then
    its ``get_db_prep_save``); constraints are the database's, and their violations raise Django's
    ``IntegrityError`` as ``save()`` would. No signals are sent: use it only for models that have no
    receivers and no ``save()`` override (the hot writes of timer start and token issuance).
    """
    connection = connections[using]
    sql, fields = _insert_sql(type(instance), using)
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]
    statement_run(sql, params, using=using, rows=False)
    instance._state.adding = False
    instance._state.db = using
    return instance


def row_update(instance: Model, fields: Sequence[str], *, using: str = "default") -> Model:
    """``instance.save(update_fields=fields)`` as one prepared UPDATE by primary key; ``auto_now`` fields
    are refreshed as ``save()`` would. The same limits as :func:`row_insert` (no signals); the row must
    exist (callers hold its lock), as a missing one is not reported."""
    model = type(instance)
    connection = connections[using]
    sql, update_fields = _update_sql(model, tuple(fields), using)
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in update_fields]
    params.append(model._meta.pk.get_db_prep_save(instance.pk, connection))
    statement_run(sql, params, using=using, rows=False)
    return instance
