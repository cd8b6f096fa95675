from django import template

from apps.clocked_times.models import ClockedTime
from apps.web.views.common import duration_text

register = template.Library()


@register.filter
def duration(seconds: int | float | None) -> str:
    return duration_text(int(seconds or 0))


@register.filter
def entry_duration(entry: ClockedTime) -> str:
    if entry.end_time is None:
        return "running"
    return duration_text(int((entry.end_time - entry.start_time).total_seconds()))


@register.filter
def hours(seconds: int | float | None) -> str:
    return f"{(seconds or 0) / 3600:.2f}"
