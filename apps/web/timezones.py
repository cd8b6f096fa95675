"""The person's timezone: kept in their Profile, cached in their session so a page costs no query for it."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache

from django.http import HttpRequest

from apps.web.models import Profile

SESSION_KEY = "web_timezone"


@lru_cache(maxsize=1)
def timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


def timezone_valid(name: str) -> bool:
    return name in set(timezone_names())


def timezone_of(request: HttpRequest) -> str:
    """The session's cached zone name, loading it from the profile on the session's first page."""
    name = request.session.get(SESSION_KEY)
    if name is None:
        name = Profile.objects.filter(user=request.user).values_list("timezone", flat=True).first() or ""
        request.session[SESSION_KEY] = name
    return name or "UTC"
