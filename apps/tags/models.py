from django.db import models
from django.db.models.functions import Lower

from apps.core.ids import PublicIdField
from apps.organizations.models import Organization


class Tag(models.Model):
    id = PublicIdField(prefix="tag")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="tag_name_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name
