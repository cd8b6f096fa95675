"""The API side of provenance: the ``source`` object, the session header, and their schema pieces."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from apps.clocked_times.provenance import (
    MAX_LENGTHS,
    SESSION_MAX_LENGTH,
    Source,
    session_clean,
    source_clean,
)
from apps.core.api.schema import schema_pattern
from apps.core.api.serializers import StrictCharField, StrictInput
from apps.core.errors import ValidationFailed

SESSION_HEADER = "X-Teeckin-Session"

SESSION_HEADER_PARAMETER = OpenApiParameter(
    SESSION_HEADER,
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    # What session_clean accepts (empty means none), so the schema is as strict as the server.
    pattern=f"^[!-~]{{0,{SESSION_MAX_LENGTH}}}$",
    description=(
        "The agent's session id (e.g. Claude Code's session_id; up to 128 printable ASCII characters, no "
        "spaces). Each session is its own timer tracker: a start stops only the same session's timer, and "
        "stop, status, notes, tags and heartbeat address that session's timer. Without it, the agent's "
        "session-less timer. A body's source.session, if also given, must be the same."
    ),
)

_HELP = {
    "client": 'The tool that recorded the entry, e.g. "claude-code".',
    "session": "The agent's session id (as the X-Teeckin-Session header).",
    "repository": "A repository remote URL or name (credentials in a URL are dropped).",
    "branch": "The git branch.",
    "directory": "The working directory.",
    "host": "The machine's host name.",
}


# The characters source_clean accepts, published as each field's pattern (JSON Schema regex syntax) so the
# schema is as strict as the server; the check itself stays in source_clean.
_SOURCE_PATTERNS = {"session": "^[!-~]*$"}
_NO_CONTROL = "^[^\\u0000-\\u001f\\u007f]*$"


def _source_char(name: str) -> StrictCharField:
    # Not trimmed: the value is stored as sent, and a tab or newline at an end is refused as a control
    # character like one in the middle (as the published pattern says), instead of silently dropped.
    field = StrictCharField(
        max_length=MAX_LENGTHS[name],
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=_HELP[name],
    )
    return schema_pattern(field, _SOURCE_PATTERNS.get(name, _NO_CONTROL))


class SourceInput(StrictInput):
    """Where the work happens; every field optional."""

    client = _source_char("client")
    session = _source_char("session")
    repository = _source_char("repository")
    branch = _source_char("branch")
    directory = _source_char("directory")
    host = _source_char("host")


def source_field() -> SourceInput:
    return SourceInput(required=False, help_text="Where the work happens (provenance); stored on the entry.")


class SourceOutput(serializers.Serializer):
    """An entry's provenance; "" where unknown. Serializes a ClockedTime (``source="*"``)."""

    client = serializers.CharField(source="source_client", help_text=_HELP["client"])
    session = serializers.CharField(help_text=_HELP["session"])
    repository = serializers.CharField(source="source_repository", help_text=_HELP["repository"])
    branch = serializers.CharField(source="source_branch", help_text=_HELP["branch"])
    directory = serializers.CharField(source="source_directory", help_text=_HELP["directory"])
    host = serializers.CharField(source="source_host", help_text=_HELP["host"])


def request_session(request: Request) -> str:
    """The session the request names in its header ("" for none), validated."""
    return session_clean(request.headers.get(SESSION_HEADER, ""), field=SESSION_HEADER)


def request_source(request: Request, data: dict[str, Any] | None) -> Source:
    """The request's provenance: the body's ``source`` with the session from it or from the header."""
    header = request_session(request)
    source = Source(**(data or {}))
    if header and source.session and header != source.session:
        raise ValidationFailed(
            f"{SESSION_HEADER} and source.session name different sessions.",
            code="INVALID_SESSION",
            details={"source": {"session": [f"Differs from the {SESSION_HEADER} header."]}},
        )
    return source_clean(replace(source, session=source.session or header))
