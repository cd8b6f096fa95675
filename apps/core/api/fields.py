from datetime import datetime

from rest_framework import serializers

from apps.core.timefmt import iso_utc


class UtcDateTimeField(serializers.DateTimeField):
    """Renders times as the API contract shows them: ``2026-03-30T10:00:00Z`` (see ``iso_utc``)."""

    def to_representation(self, value: datetime | None) -> str | None:
        return None if value is None else iso_utc(value)
