"""One case folding for category and topic names (NFKC + casefold): key columns, filled for existing rows."""

from django.db import migrations

from apps.core.names import NameKeyField, name_keys_backfill


def backfill(apps, schema_editor):
    for model in ("Category", "Topic"):
        name_keys_backfill(apps.get_model("topics", model), max_length=200)


class Migration(migrations.Migration):
    dependencies = [
        ("topics", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="category", name="name_key", field=NameKeyField(default="")),
        migrations.AddField(model_name="topic", name="name_key", field=NameKeyField(default="")),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
