"""Where an entry came from: the client, its session, and the repository, branch, directory and host.

Agents send these as an optional ``source`` object (the session also as the ``X-Teeckin-Session``
header). They are free text from the client, so they are bounded, refused when they carry control
characters, and a repository URL loses any credentials written into it before it is stored.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlsplit, urlunsplit

from apps.clocked_times.models import SESSION_MAX_LENGTH, ClockedTime
from apps.core.errors import ValidationFailed

# Session ids are opaque tokens (Claude Code's are UUIDs): printable ASCII without spaces, so one cannot
# smuggle a second header line, a log-forging newline or lookalike Unicode into the tracker key.
SESSION_PATTERN = re.compile(r"[!-~]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Field name -> (model field, maximum length). The lengths are the model's.
FIELDS = {
    "client": "source_client",
    "session": "session",
    "repository": "source_repository",
    "branch": "source_branch",
    "directory": "source_directory",
    "host": "source_host",
}
MAX_LENGTHS = {name: ClockedTime._meta.get_field(column).max_length for name, column in FIELDS.items()}


@dataclass(frozen=True)
class Source:
    """An entry's provenance; "" means unknown."""

    client: str = ""
    session: str = ""
    repository: str = ""
    branch: str = ""
    directory: str = ""
    host: str = ""

    def model_fields(self) -> dict[str, str]:
        """The ClockedTime fields to store it in."""
        return {column: getattr(self, name) for name, column in FIELDS.items()}


NO_SOURCE = Source()


def session_clean(value: str, *, field: str = "session") -> str:
    """The session id, or ValidationFailed naming ``field`` (where the client sent it)."""
    if value == "":
        return ""
    if len(value) > SESSION_MAX_LENGTH or not SESSION_PATTERN.fullmatch(value):
        raise ValidationFailed(
            f"{field} must be 1 to {SESSION_MAX_LENGTH} printable ASCII characters without spaces.",
            code="INVALID_SESSION",
            details={field: [f"1 to {SESSION_MAX_LENGTH} printable ASCII characters, no spaces."]},
        )
    return value


def _repository_clean(value: str) -> str:
    # "https://user:token@host/repo.git" must not put a token into every entry and webhook payload.
    if "://" in value:
        parts = urlsplit(value)
        if parts.username is not None or parts.password is not None:
            host = parts.hostname or ""
            netloc = f"{host}:{parts.port}" if parts.port else host
            value = urlunsplit(parts._replace(netloc=netloc))
    return value


def source_clean(source: Source) -> Source:
    """Check every field's length and characters; strip credentials from the repository."""
    errors: dict[str, list[str]] = {}
    values = asdict(source)
    for name, value in values.items():
        if not isinstance(value, str):
            errors[name] = ["Must be a string."]
        elif len(value) > MAX_LENGTHS[name]:
            errors[name] = [f"At most {MAX_LENGTHS[name]} characters."]
        elif _CONTROL.search(value):
            errors[name] = ["Must not contain control characters."]
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(
            f"Invalid input: source.{first}: {errors[first][0]}", details={"source": errors}
        )
    session_clean(source.session, field="source.session")
    return replace(source, repository=_repository_clean(source.repository))
