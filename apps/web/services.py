"""Writes of the people's own page settings."""

from __future__ import annotations

from typing import Any

from apps.core.errors import ValidationFailed
from apps.web.models import Profile
from apps.web.timezones import timezone_valid


def profile_timezone_set(*, user: Any, name: str, only_if_unset: bool = False) -> Profile:
    """Store the person's zone; ``only_if_unset`` is the browser's suggestion at sign-in, which must not
    override a zone the person chose."""
    if not timezone_valid(name):
        raise ValidationFailed(f"Unknown timezone {name!r}.", details={"timezone": ["Unknown timezone."]})
    profile, _ = Profile.objects.get_or_create(user=user)
    if not (only_if_unset and profile.timezone):
        profile.timezone = name
        profile.save(update_fields=["timezone"])
    return profile
