"""Triggers that give an organization's catalog a new version on every write (see apps/topics/catalog.py)."""

import uuid

from django.db import migrations

from apps.topics.catalog import catalog_triggers_drop, catalog_triggers_install


def create(apps, schema_editor):
    catalog_triggers_install(schema_editor.connection)
    # Existing organizations get a version now; without one, matching would not cache their choices.
    version = apps.get_model("topics", "CatalogVersion")
    category = apps.get_model("topics", "Category")
    for organization_id in category.objects.values_list("organization_id", flat=True).distinct():
        version.objects.get_or_create(organization=organization_id, defaults={"version": uuid.uuid4().hex})


def drop(apps, schema_editor):
    catalog_triggers_drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0003_name_key_unique_aliases_repositories"),
    ]

    operations = [migrations.RunPython(create, drop)]
