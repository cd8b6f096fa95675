"""Triggers that give an organization's catalog a new version on every write (see apps/topics/catalog.py)."""

from django.db import migrations

from apps.topics.catalog import catalog_triggers_drop, catalog_triggers_install


def create(apps, schema_editor):
    catalog_triggers_install(schema_editor.connection)


def drop(apps, schema_editor):
    catalog_triggers_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0003_name_key_unique_aliases_repositories"),
    ]

    operations = [migrations.RunPython(create, drop)]
