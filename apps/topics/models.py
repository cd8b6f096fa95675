from django.db import models

from apps.core.ids import PublicIdField
from apps.core.names import NameKeyField
from apps.organizations.models import Organization


class Category(models.Model):
    id = PublicIdField(prefix="cat")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=200)
    name_key = NameKeyField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint("organization", "name_key", name="category_name_key_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    id = PublicIdField(prefix="top")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="topics")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    name = models.CharField(max_length=200)
    name_key = NameKeyField()
    archived = models.BooleanField(default=False, help_text="Archived topics are hidden from agents.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organization", "name_key", name="topic_name_key_unique_per_org"),
        ]
        indexes = [models.Index(fields=["organization", "archived"], name="topic_org_archived")]

    def __str__(self) -> str:
        return self.name


class TopicAlias(models.Model):
    """Another name an organization gives a topic ("CSP" for "Contoso Support Portal"), matched like its
    name. Names and aliases share one namespace per organization (the services check both under the
    catalog lock; this constraint holds aliases among themselves)."""

    id = PublicIdField(prefix="tal")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="topic_aliases")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    name_key = NameKeyField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "topic aliases"
        constraints = [
            models.UniqueConstraint("organization", "name_key", name="topic_alias_key_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class TopicRepository(models.Model):
    """A repository name or glob pattern (``contoso-*``, ``github.com/acme/web``) that designates a topic
    when an agent reports the repository it works in. Stored normalised (``repository_normalise``)."""

    id = PublicIdField(prefix="trb")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="topic_repositories"
    )
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="repositories")
    pattern = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pattern"]
        verbose_name = "repository binding"
        constraints = [
            models.UniqueConstraint("organization", "pattern", name="topic_repository_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.pattern


class CatalogVersion(models.Model):
    """One row per organization whose ``version`` changes in the same transaction as any write to its
    topics, categories, aliases or repository bindings.

    Database triggers (migration 0005) write it, so a write through ``QuerySet.update``, ``bulk_create``
    or raw SQL moves it too. Each new version is random: a rolled-back write restores the previous
    value, and a version is never reused for other contents. Topic matching keys its per-process prepared
    choices by it; the services also lock this row to keep names and aliases unique across both tables.
    No foreign key: a row left by a deleted organization is harmless, and deleting an organization's
    topics must not re-create a row pointing at an organization about to disappear.
    """

    organization = models.CharField(max_length=32, primary_key=True)
    version = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.organization}@{self.version}"
