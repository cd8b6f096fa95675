from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _reinstall_catalog_triggers(sender: AppConfig, using: str, **kwargs: Any) -> None:
    # SQLite drops a table's triggers when a migration rebuilds the table; re-creating them after every
    # migrate keeps topic matching's catalog version moving with each write (apps/topics/catalog.py).
    from django.db import connections

    from apps.topics.catalog import TABLES, catalog_triggers_install

    connection = connections[using]
    present = set(connection.introspection.table_names())
    if {*TABLES, "topics_catalogversion"} <= present:  # not when migrated to an earlier state
        catalog_triggers_install(connection)


class TopicsConfig(AppConfig):
    name = "apps.topics"
    label = "topics"

    def ready(self) -> None:
        post_migrate.connect(_reinstall_catalog_triggers, sender=self, dispatch_uid="topics_catalog_triggers")
