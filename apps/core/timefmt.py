from datetime import UTC, datetime


def iso_utc(value: datetime) -> str:
    """The API's time format: ISO 8601 in UTC, whole seconds, ``Z`` suffix (``2026-03-30T10:00:00Z``).

    The database keeps microseconds and durations are computed from those; only the text is rounded down.
    """
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def whole_minutes(seconds: float) -> int:
    """The minutes every answer shows for a span of ``seconds``: rounded to the nearest, never negative.

    One rule for all of them (an entry's ``duration``, a running timer's ``elapsedMinutes``, the MCP tools'
    ``minutes``, reports and pages), so a timer that says 45 minutes elapsed makes a 45-minute entry when
    stopped at that moment. Rounded rather than floored: 44 min 50 s is shown as the 45 it nearly is.
    Never negative: a start written by another host's clock may lie a moment in the future.
    """
    return max(round(seconds / 60), 0)
