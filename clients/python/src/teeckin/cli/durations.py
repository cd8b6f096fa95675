"""Reading what people type: durations (``30m``, ``1h15m``, ``1.5h``, ``90``) and clock times (``09:00``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([hm])")


def minutes_parse(text: str) -> int:
    """Whole minutes in ``text``; raises ValueError with a message for people."""
    value = text.strip().lower().replace(" ", "")
    if re.fullmatch(r"\d+", value):
        minutes = float(value)
    elif value and _PART.sub("", value) == "":
        parts = _PART.findall(value)
        units = [unit for _, unit in parts]
        if len(set(units)) != len(units) or units not in (["h"], ["m"], ["h", "m"]):
            raise ValueError(f"'{text}' is not a duration (e.g. 30m, 1h15m, 1.5h).")
        minutes = sum(float(number) * (60 if unit == "h" else 1) for number, unit in parts)
    else:
        raise ValueError(f"'{text}' is not a duration (e.g. 30m, 1h15m, 1.5h).")
    whole = round(minutes)
    if not 1 <= whole <= 24 * 60:
        raise ValueError(f"'{text}' must be between 1 minute and 24 hours.")
    return whole


def clock_parse(text: str, *, now: datetime | None = None) -> datetime:
    """``HH:MM`` today in local time (or a full ISO 8601 time) as an aware UTC datetime."""
    now = now or datetime.now().astimezone()
    value = text.strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour > 23 or minute > 59:
            raise ValueError(f"'{text}' is not a time of day (HH:MM).")
        return now.replace(hour=hour, minute=minute, second=0, microsecond=0).astimezone(UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{text}' is not a time (HH:MM today, or ISO 8601).") from None
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
