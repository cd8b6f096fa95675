"""The catalog version: a value that changes in the same transaction as any write to an organization's
categories, topics, aliases or repository bindings (``CatalogVersion``), maintained by database triggers.

Triggers rather than service code, so that no write path (``QuerySet.update``, ``bulk_create``, raw SQL,
a future service) can leave topic matching's prepared choices stale. Each new version is random: a
rolled-back write restores the previous value, and no version is ever reused for other contents.

``catalog_triggers_install`` is idempotent; migration 0004 runs it and so does every ``migrate``
(``apps.TopicsConfig``), because SQLite drops a table's triggers when a later migration rebuilds the table.
"""

from __future__ import annotations

import functools
import uuid

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from apps.core.prebuilt import statement_run
from apps.core.request_hints import catalog_version_forget
from apps.topics.models import CatalogVersion

TABLES = ("topics_category", "topics_topic", "topics_topicalias", "topics_topicrepository")

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION topics_catalog_version_bump() RETURNS trigger AS $$
DECLARE
    org varchar(32);
BEGIN
    IF TG_OP = 'DELETE' THEN org := OLD.organization_id; ELSE org := NEW.organization_id; END IF;
    INSERT INTO topics_catalogversion (organization, version) VALUES (org, gen_random_uuid()::text)
    ON CONFLICT (organization) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

_POSTGRES_TRIGGER = """
CREATE OR REPLACE TRIGGER {table}_catalog AFTER INSERT OR UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION topics_catalog_version_bump()
"""

_SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS {table}_catalog_{event} AFTER {event} ON {table} BEGIN
    INSERT INTO topics_catalogversion (organization, version)
    VALUES ({row}.organization_id, lower(hex(randomblob(16))))
    ON CONFLICT (organization) DO UPDATE SET version = excluded.version;
END
"""

_SQLITE_EVENTS = (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))


def catalog_triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Create (or replace) the triggers on PostgreSQL or SQLite; other backends are not supported."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRES_FUNCTION)
            for table in TABLES:
                cursor.execute(_POSTGRES_TRIGGER.format(table=table))
        elif connection.vendor == "sqlite":
            for table in TABLES:
                for event, row in _SQLITE_EVENTS:
                    cursor.execute(_SQLITE_TRIGGER.format(table=table, event=event, row=row))
        else:
            vendor = connection.vendor
            raise RuntimeError(f"Catalog triggers are written for PostgreSQL and SQLite, not {vendor}.")


def catalog_triggers_drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog ON {table}")
            else:
                for event, _row in _SQLITE_EVENTS:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_catalog_{event}")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS topics_catalog_version_bump()")


def catalog_version(*, organization_id: str) -> str:
    """The organization's current catalog version ("" before its first catalog write): one indexed read."""
    # Prebuilt and prepared: every topic lookup (each timer start) asks it first.
    row = statement_run(_catalog_version_sql(), [organization_id])
    return (row[0] if row else None) or ""


@functools.cache
def _catalog_version_sql() -> str:
    meta = CatalogVersion._meta
    quote = connection.ops.quote_name
    column = quote(meta.get_field("version").column)
    key = quote(meta.get_field("organization").column)
    return f"SELECT {column} FROM {quote(meta.db_table)} WHERE {key} = %s"  # noqa: S608 (identifiers)


def catalog_lock(*, organization_id: str) -> None:
    """Give the organization's catalog a new version and hold its row locked until the transaction ends.

    Every write service calls it first, so concurrent catalog writes of one organization queue here
    instead of locking topic rows in different orders (the triggers then update a row already held: no
    deadlock), and checks spanning two tables (a name free among names and aliases) cannot race. One
    upsert; on SQLite, which serialises writers anyway, it only bumps the version.
    """
    # The version the request's credential lookup noted is about to be replaced: later lookups in this
    # request read the new one.
    catalog_version_forget(organization_id)
    CatalogVersion.objects.bulk_create(
        [CatalogVersion(organization=organization_id, version=uuid.uuid4().hex)],
        update_conflicts=True,
        unique_fields=["organization"],
        update_fields=["version"],
    )
