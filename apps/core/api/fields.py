from datetime import UTC, datetime

from rest_framework import serializers


class UtcDateTimeField(serializers.DateTimeField):
    """ISO 8601 in UTC with a ``Z`` suffix, as the API contract shows (``2026-03-30T10:00:00Z``)."""

    def to_representation(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(UTC).isoformat()
        return text.replace("+00:00", "Z")
