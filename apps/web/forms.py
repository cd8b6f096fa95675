"""Forms of the people's pages. They only parse input; the services decide (and refuse) as for the API."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.conf import settings

from apps.clocked_times.reports import GROUPINGS, MAX_RANGE_DAYS
from apps.core.errors import DomainError
from apps.organizations.models import Membership

LOCAL_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# Where a service's refusal is shown: its details' keys (the API's names) and codes, mapped to form fields.
_DETAIL_FIELDS = {"startTime": "start_time", "endTime": "end_time", "notes": "notes", "timezone": "timezone"}
_CODE_FIELDS = {
    "OVERLAPPING_ENTRY": "start_time",
    "TOPIC_ARCHIVED": "topic",
    "TOPIC_NOT_FOUND": "topic",
    "TAG_NOT_FOUND": "tags",
    "INVALID_TIME_RANGE": "end_time",
}


class Form(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")  # labels without Django's trailing colon
        super().__init__(*args, **kwargs)


def refusal_to_form(form: forms.Form, exc: DomainError) -> None:
    """Show a service's refusal next to the field it is about (else above the form)."""
    details = exc.details if isinstance(exc.details, dict) else {}
    for key, field in _DETAIL_FIELDS.items():
        if key in details and field in form.fields:
            form.add_error(field, exc.message)
            return
    field = _CODE_FIELDS.get(exc.code)
    form.add_error(field if field in form.fields else None, exc.message)


def tag_names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


class EntryForm(Form):
    """A finished entry (new or edited), times in the person's timezone."""

    topic = forms.ChoiceField(label="Topic")
    start_time = forms.DateTimeField(label="Start", widget=LOCAL_DATETIME)
    end_time = forms.DateTimeField(label="End", widget=LOCAL_DATETIME)
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=settings.NOTES_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    tags = forms.CharField(label="Tags", required=False, max_length=1000, help_text="Comma-separated.")

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = topics


class EntryFilterForm(Form):
    """The filters shared by the timesheet and the reports. Unknown values are ignored (the field is
    reported invalid), never an error page."""

    start = forms.DateField(label="From", required=False, widget=DATE)
    end = forms.DateField(label="To", required=False, widget=DATE)
    topic = forms.ChoiceField(label="Topic", required=False)
    tag = forms.CharField(label="Tag", required=False, max_length=100)
    agent = forms.ChoiceField(label="Agent", required=False)
    repository = forms.CharField(
        label="Repository", required=False, max_length=500, help_text="As the agent reported it."
    )
    member = forms.ChoiceField(label="Member", required=False)

    def __init__(
        self,
        *args: Any,
        topics: list[tuple[str, str]],
        agents: list[tuple[str, str]],
        members: list[tuple[str, str]] | None,
        nobody_picked: str = "Everyone",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "All topics"), *topics]
        self.fields["agent"].choices = [("", "All agents"), ("none", "By hand (no agent)"), *agents]
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].choices = [("", nobody_picked), *members]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "Must not be before From.")
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("end", f"A range can be at most {MAX_RANGE_DAYS} days.")
        return data

    def dates(self, default_start: date, default_end: date) -> tuple[date, date]:
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or default_start
        end = data.get("end") or default_end
        if end < start or (end - start).days > MAX_RANGE_DAYS:
            return default_start, default_end
        return start, end


class ReportForm(EntryFilterForm):
    group_by = forms.ChoiceField(
        label="Group by", required=False, choices=[(name, name.capitalize()) for name in GROUPINGS]
    )


class AgentCreateForm(Form):
    name = forms.CharField(label="Name", max_length=255)
    default_topic = forms.ChoiceField(label="Default topic", required=False)
    scopes = forms.MultipleChoiceField(
        label="Allowed scopes", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, topics: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_topic"].choices = [("", "None"), *topics]
        self.fields["scopes"].choices = [
            (name, f"{name}: {description}")
            for name, description in settings.OAUTH2_PROVIDER["SCOPES"].items()
        ]
        self.fields["scopes"].initial = ["agent"]  # every agent has it (scopes_normalize adds it anyway)


class AgentSettingsForm(AgentCreateForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["name"]


class NameForm(Form):
    name = forms.CharField(label="Name", max_length=200)


class TopicCreateForm(Form):
    name = forms.CharField(label="Topic name", max_length=200)
    category = forms.ChoiceField(label="Category")

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = categories


class GuidanceForm(Form):
    guidance = forms.CharField(
        label="Guidance for agents",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Served to agents with the topic list: which topic to use for what.",
    )


class PolicyForm(Form):
    allow_overlaps = forms.BooleanField(
        label="Accept overlapping entries of one person (agents working in parallel)", required=False
    )
    max_timer_hours = forms.IntegerField(
        label="Stop a forgotten timer after (hours; 0 = never)", min_value=0, max_value=168
    )
    idle_stop_minutes = forms.IntegerField(
        label="Stop an agent session's timer after this many minutes without a heartbeat (0 = never)",
        min_value=0,
        max_value=1440,
    )
    idle_stop_sessionless_minutes = forms.IntegerField(
        label="The same for timers started without a session (0 = never)", min_value=0, max_value=1440
    )


class RoleForm(Form):
    role = forms.ChoiceField(label="Role", choices=Membership.Role.choices)


class ProfileForm(Form):
    timezone = forms.CharField(
        label="Timezone",
        max_length=64,
        help_text="An IANA name, e.g. Europe/Berlin.",
        widget=forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
    )


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
