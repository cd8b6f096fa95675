"""What people type for ``teeckin log``: durations and the ``--at`` time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from teeckin.cli.durations import clock_parse, minutes_parse


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30m", 30), ("1h15m", 75), ("1.5h", 90), ("2h", 120), ("90", 90), (" 1H 5M ", 65), ("0.25h", 15)],
)
def test_durations(text: str, minutes: int) -> None:
    assert minutes_parse(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "15m1h", "1h1h", "0m", "25h", "1d", "m", "-5m", "1h15"])
def test_what_is_not_a_duration_says_so(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|between"):
        minutes_parse(text)


def test_at_is_a_local_time_today_or_an_iso_time() -> None:
    paris = timezone(timedelta(hours=1))
    now = datetime(2026, 3, 30, 15, 0, tzinfo=paris)
    assert clock_parse("09:00", now=now) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert clock_parse("2026-03-29T22:30:00Z", now=now) == datetime(2026, 3, 29, 22, 30, tzinfo=UTC)
    for bad in ("25:00", "9h", "yesterday"):
        with pytest.raises(ValueError):
            clock_parse(bad, now=now)
