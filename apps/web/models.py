from django.conf import settings
from django.db import models


class Profile(models.Model):
    """A person's page settings. Times are stored in UTC; pages show them in this timezone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_profile"
    )
    # Empty until the person signs in from a browser (which reports its own zone) or picks one.
    timezone = models.CharField(max_length=64, blank=True, help_text="An IANA name, e.g. Europe/Berlin.")

    def __str__(self) -> str:
        return f"{self.user}: {self.timezone or 'UTC'}"
