"""Unique constraints on the folded keys; topic aliases, repository bindings and the catalog version."""

import django.db.models.deletion
from django.db import migrations, models

import apps.core.ids
from apps.core.names import NameKeyField


class Migration(migrations.Migration):
    dependencies = [
        ("organizations", "0001_initial"),
        ("topics", "0002_name_keys"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="category", name="category_name_unique_per_org"),
        migrations.RemoveConstraint(model_name="topic", name="topic_name_unique_per_org"),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                models.F("organization"), models.F("name_key"), name="category_name_key_unique_per_org"
            ),
        ),
        migrations.AddConstraint(
            model_name="topic",
            constraint=models.UniqueConstraint(
                models.F("organization"), models.F("name_key"), name="topic_name_key_unique_per_org"
            ),
        ),
        migrations.CreateModel(
            name="CatalogVersion",
            fields=[
                ("organization", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("version", models.CharField(max_length=64)),
            ],
        ),
        migrations.CreateModel(
            name="TopicAlias",
            fields=[
                (
                    "id",
                    apps.core.ids.PublicIdField(
                        editable=False, max_length=32, prefix="tal", primary_key=True, serialize=False
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("name_key", NameKeyField(default="")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="topic_aliases",
                        to="organizations.organization",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="aliases", to="topics.topic"
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "topic aliases",
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("organization"), models.F("name_key"), name="topic_alias_key_unique_per_org"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TopicRepository",
            fields=[
                (
                    "id",
                    apps.core.ids.PublicIdField(
                        editable=False, max_length=32, prefix="trb", primary_key=True, serialize=False
                    ),
                ),
                ("pattern", models.CharField(max_length=300)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="topic_repositories",
                        to="organizations.organization",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="repositories",
                        to="topics.topic",
                    ),
                ),
            ],
            options={
                "verbose_name": "repository binding",
                "ordering": ["pattern"],
                "constraints": [
                    models.UniqueConstraint(
                        models.F("organization"), models.F("pattern"), name="topic_repository_unique_per_org"
                    )
                ],
            },
        ),
    ]
