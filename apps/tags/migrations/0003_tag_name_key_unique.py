"""The unique constraint moves from lower(name) to the folded key (a separate transaction from the
backfill, so PostgreSQL alters no table with pending updates)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("tags", "0002_tag_name_key"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="tag",
            name="tag_name_unique_per_org",
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                models.F("organization"), models.F("name_key"), name="tag_name_key_unique_per_org"
            ),
        ),
    ]
