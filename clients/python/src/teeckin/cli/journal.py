"""The offline journal: writes the server could not take, replayed in order once it can.

One JSON object per line in ``state_dir()/journal.jsonl``. Each write keeps its Idempotency-Key, so a
replay that the server already saw (the answer was lost, not the request) is answered from the server's
record instead of writing twice, and the time it happened, sent as ``at`` so starts and stops keep their
real times. Appending holds ``journal.lock`` for a moment; replaying holds ``replay.lock`` so two
processes (two hooks ending at once) never send the same write concurrently.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from teeckin.cli import config

if TYPE_CHECKING:
    # Imported where a write is sent: the hooks only append, and must not pay for the HTTP client.
    from teeckin.cli.api import Api, Refused

# A queued start or stop is sent with ``at`` when it happened at least this long before the replay;
# a fresher one is sent as "now" so a client clock running slightly ahead is never "in the future".
AT_MIN_AGE_SECONDS = 5


@dataclass
class Write:
    method: str
    path: str
    body: dict[str, Any]
    key: str
    description: str
    session: str | None = None
    # ISO 8601 UTC: when the user (or agent) did it.
    happened_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    # Starts and stops accept ``at``; other writes carry their own times in the body (or none).
    takes_at: bool = False
    # Sent instead when the server refuses ``body`` (e.g. no topic could be inferred): body and key.
    fallback: dict[str, Any] | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass
class Outcome:
    sent: list[tuple[Write, Any]] = field(default_factory=list)
    refused: list[tuple[Write, Refused]] = field(default_factory=list)
    pending: int = 0
    unreachable: bool = False
    # The refusal that stopped the replay without being about the write (see ``Refused.final``).
    held: Refused | None = None

    @property
    def stopped(self) -> bool:
        return self.unreachable or self.held is not None


def _paths() -> tuple[Path, Path, Path]:
    directory = config.private_dir(config.state_dir())
    return directory / "journal.jsonl", directory / "journal.lock", directory / "replay.lock"


@contextlib.contextmanager
def _locked(path: Path, *, wait: float | None = None) -> Iterator[bool]:
    """An exclusive lock on ``path``; ``wait`` seconds at most (None: as long as it takes)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = None if wait is None else time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.05)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read(path: Path) -> list[Write]:
    writes = []
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return []
    for line in lines:
        try:
            writes.append(Write(**json.loads(line)))
        except (ValueError, TypeError):
            continue  # a torn line from a crash: nothing recoverable in it
    return writes


def _rewrite(path: Path, writes: list[Write]) -> None:
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", opener=lambda p, f: os.open(p, f, 0o600)) as handle:
        for write in writes:
            handle.write(json.dumps(asdict(write)) + "\n")
    os.replace(tmp, path)


def append(write: Write) -> int:
    """Queue ``write``; returns how many writes are now pending."""
    journal, lock, _ = _paths()
    with _locked(lock):
        with open(journal, "a", opener=lambda p, f: os.open(p, f, 0o600)) as handle:
            handle.write(json.dumps(asdict(write)) + "\n")
        return len(_read(journal))


def pending() -> list[Write]:
    journal, lock, _ = _paths()
    with _locked(lock):
        return _read(journal)


def _drop(write_id: str) -> int:
    journal, lock, _ = _paths()
    with _locked(lock):
        remaining = [w for w in _read(journal) if w.id != write_id]
        _rewrite(journal, remaining)
        return len(remaining)


def send(api: Api, write: Write, *, replaying: bool) -> Any:
    """Send one write; a refused body is retried once as its fallback, when it has one."""
    from teeckin.cli.api import Refused

    body = dict(write.body)
    if replaying and write.takes_at:
        happened = datetime.fromisoformat(write.happened_at)
        if (datetime.now(UTC) - happened).total_seconds() >= AT_MIN_AGE_SECONDS:
            body["at"] = write.happened_at.replace("+00:00", "Z")
    try:
        return api.request(write.method, write.path, body=body, key=write.key, session=write.session)
    except Refused as refusal:
        if write.fallback is None or refusal.status in (401, 403, 409, 429):
            raise
        fallback = {**write.fallback["body"], **{k: v for k, v in body.items() if k == "at"}}
        return api.request(
            write.method, write.path, body=fallback, key=write.fallback["key"], session=write.session
        )


def replay(api: Api, *, wait: float = 30.0, on_sent: Callable[[Write, Any], None] | None = None) -> Outcome:
    """Send the queued writes in order until the journal is empty or the server is unreachable.

    A refused write is dropped (and reported): it would be refused again. When the server cannot be
    reached (``unreachable``), or refuses for a reason that is not the write's (``held``), that write and
    the ones after it stay queued.
    """
    from teeckin.cli.api import Refused, Unreachable

    outcome = Outcome()
    _, _, replay_lock = _paths()
    with _locked(replay_lock, wait=wait) as held:
        if not held:  # another process is replaying and will pick up what is queued
            outcome.pending = len(pending())
            return outcome
        while True:
            queue = pending()
            if not queue:
                break
            write = queue[0]
            try:
                answer = send(api, write, replaying=True)
            except Refused as refusal:
                if not refusal.final:
                    outcome.pending, outcome.held = len(queue), refusal
                    break
                outcome.refused.append((write, refusal))
            except Unreachable:
                outcome.pending, outcome.unreachable = len(queue), True
                break
            else:
                outcome.sent.append((write, answer))
                if on_sent is not None:
                    on_sent(write, answer)
            _drop(write.id)
    return outcome
