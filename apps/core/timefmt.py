from datetime import UTC, datetime


def iso_utc(value: datetime) -> str:
    """The API's time format: ISO 8601 in UTC, whole seconds, ``Z`` suffix (``2026-03-30T10:00:00Z``).

    The database keeps microseconds and durations are computed from those; only the text is rounded down.
    """
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
