from django.db import models
from oauth2_provider.models import AbstractApplication

from apps.organizations.models import Organization


class Agent(AbstractApplication):
    """An AI agent or script: the OAuth2 client of django-oauth-toolkit (the swapped Application model).

    Swapping (rather than a model beside DOT's Application) means the token's ``application`` *is* the
    agent: one join fewer on every authenticated request, and no second table to keep in step.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="agents")
    active = models.BooleanField(default=True)
    default_topic = models.ForeignKey(
        "topics.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractApplication.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.client_id
