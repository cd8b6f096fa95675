from django.db import models

from apps.core.ids import PublicIdField
from apps.core.names import NameKeyField
from apps.organizations.models import Organization


class Tag(models.Model):
    id = PublicIdField(prefix="tag")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=100)
    name_key = NameKeyField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organization", "name_key", name="tag_name_key_unique_per_org"),
        ]

    def __str__(self) -> str:
        return self.name
