"""One case folding for tag names (NFKC + casefold): a key column, filled for existing rows."""

from django.db import migrations

from apps.core.names import NameKeyField, name_keys_backfill


def backfill(apps, schema_editor):
    name_keys_backfill(apps.get_model("tags", "Tag"), max_length=100)


class Migration(migrations.Migration):
    dependencies = [
        ("tags", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="tag",
            name="name_key",
            field=NameKeyField(default=""),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
