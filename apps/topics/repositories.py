"""Repository names and patterns: one normal form for remotes and bindings, and the precedence rule.

``repository_normalise`` reduces what hooks send (``https://github.com/Acme/Web.git``,
``git@github.com:acme/web.git``, ``ssh://git@github.com:22/acme/web``, ``acme/web``, ``web``) to
lower-case ``host/owner/name`` (or however many segments were given), with credentials, ports, query,
``.git`` and surrounding slashes dropped. Bindings are stored in the same form, so both sides compare.

A binding of k segments is compared with the repository's last k segments: ``web`` and ``contoso-*`` match
the repository's name whatever its host and owner, ``acme/web`` the owner and name, ``github.com/acme/*``
everything of that owner on that host. Precedence is deterministic: an exact binding beats a glob, then the
longer pattern wins, and a tie designates nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Generic, TypeVar
from urllib.parse import urlsplit

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# user@host:path (scp-style git remote); the path may not start with "/" so "C:/src" stays a path.
_SCP = re.compile(r"^(?:[^@/\s]+@)?([^:/\s]+):(?!/)(.+)$")
_GLOB_CHARS = frozenset("*?[")
MAX_REPOSITORY_LENGTH = 1000

T = TypeVar("T")


def repository_normalise(text: str) -> str:
    """The comparable form of a repository remote, path or pattern ("" when nothing is left)."""
    value = text.strip().replace("\\", "/")[:MAX_REPOSITORY_LENGTH]
    if _SCHEME.match(value):
        try:
            parts = urlsplit(value)
            value = f"{parts.hostname or ''}/{parts.path}"  # hostname drops user:password@ and :port
        except ValueError:  # a malformed bracketed host ("http://[::1"): what follows the scheme, as a path
            value = _SCHEME.sub("", value).replace("[", "").replace("]", "")
    else:
        scp = _SCP.match(value)
        if scp:
            value = f"{scp.group(1)}/{scp.group(2)}"
    segments = [segment for segment in value.casefold().split("/") if segment not in ("", ".")]
    if segments and segments[-1].endswith(".git"):
        segments[-1] = segments[-1][: -len(".git")]
    return "/".join(segment for segment in segments if segment)


def is_glob(pattern: str) -> bool:
    return any(char in _GLOB_CHARS for char in pattern)


def pattern_matches(pattern: str, repository: str) -> bool:
    """Whether a normalised pattern matches the normalised repository's last segments."""
    wanted = pattern.count("/") + 1
    segments = repository.split("/")
    if not repository or len(segments) < wanted:
        return False
    tail = "/".join(segments[-wanted:])
    return fnmatchcase(tail, pattern) if is_glob(pattern) else tail == pattern


@dataclass(frozen=True)
class RepositoryChoice(Generic[T]):
    """The binding that decides (None on no match or a tie) and every binding that matched, best first."""

    winner: T | None
    rule: str  # "repository-exact", "repository-glob", "repository-tie" or "repository-none"
    matched: list[tuple[str, T]]


def repository_choose(bindings: list[tuple[str, T]], repository: str) -> RepositoryChoice[T]:
    """Apply the precedence to ``(normalised pattern, payload)`` pairs for a raw repository string."""
    wanted = repository_normalise(repository)
    matched = [(pattern, payload) for pattern, payload in bindings if pattern_matches(pattern, wanted)]
    # Exact before glob, then longer first; ties keep a stable order by pattern for the answer.
    matched.sort(key=lambda item: (is_glob(item[0]), -len(item[0]), item[0]))
    if not matched:
        return RepositoryChoice(None, "repository-none", [])
    best = matched[0][0]
    rule = "repository-glob" if is_glob(best) else "repository-exact"
    if len(matched) > 1 and is_glob(matched[1][0]) == is_glob(best) and len(matched[1][0]) == len(best):
        return RepositoryChoice(None, "repository-tie", matched)
    return RepositoryChoice(matched[0][1], rule, matched)
