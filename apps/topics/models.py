from django.db import models
from django.db.models.functions import Lower

from apps.core.ids import PublicIdField
from apps.organizations.models import Organization


class Category(models.Model):
    id = PublicIdField(prefix="cat")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="category_name_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    id = PublicIdField(prefix="top")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="topics")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="topics")
    name = models.CharField(max_length=200)
    archived = models.BooleanField(default=False, help_text="Archived topics are hidden from agents.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="topic_name_unique_per_org"),
        ]
        indexes = [models.Index(fields=["organization", "archived"], name="topic_org_archived")]

    def __str__(self) -> str:
        return self.name
