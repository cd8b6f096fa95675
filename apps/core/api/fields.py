"""Serializer fields shared by every endpoint: how times are written out and which times are accepted in.

One rule for every date and time an agent sends (bodies and query strings): an explicit UTC offset, and a
value inside the window the service can record. Python's datetime stops at year 9999, so a time near that
edge overflows as soon as a duration is added or an offset applied; and a year-0001 entry is a typo that
would sit in every report. The window is wide enough for any real use: from 2000-01-01 to a minute from
now (clocks drift; entries end "now").
"""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from apps.core.timefmt import iso_utc

EARLIEST_TIME = datetime(2000, 1, 1, tzinfo=UTC)
FUTURE_TOLERANCE = timedelta(minutes=1)


class UtcDateTimeField(serializers.DateTimeField):
    """Renders times as the API contract shows them: ``2026-03-30T10:00:00Z`` (see ``iso_utc``)."""

    def to_representation(self, value: datetime | None) -> str | None:
        return None if value is None else iso_utc(value)


class InputDateTimeField(UtcDateTimeField):
    """An ISO 8601 time with its UTC offset (or ``Z``), from 2000-01-01 to a minute from now."""

    default_error_messages = {
        "naive": "Must include a UTC offset: give the UTC offset or Z (e.g. 2026-03-30T09:00:00Z).",
        "window": "Must be between 2000-01-01T00:00:00Z and a minute from now.",
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)

    def to_internal_value(self, value: Any) -> datetime:
        parsed = super().to_internal_value(value)
        self.window_check(parsed)
        return parsed

    def window_check(self, value: datetime) -> None:
        if not EARLIEST_TIME <= value <= timezone.now() + FUTURE_TOLERANCE:
            self.fail("window")


class InputDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` day (UTC), from 2000-01-01 to tomorrow: a client east of UTC may already be there."""

    default_error_messages = {"window": "Must be between 2000-01-01 and tomorrow (UTC)."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_internal_value(self, value: Any) -> date:
        parsed = super().to_internal_value(value)
        if not EARLIEST_TIME.date() <= parsed <= (timezone.now() + timedelta(days=1)).date():
            self.fail("window")
        return parsed
