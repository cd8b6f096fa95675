"""The CLI's connection to the server, through the SDK (``teeckin.Teeckin``).

The SDK renews the access token before it expires and once on a 401, and retries 429, 503 and failed
connections as ``Retry-After`` says (bounded). This module adds what a command line needs on top: the
token kept between runs (``FileTokenStore``), the session header of agent hooks, a wait when the first
request with an Idempotency-Key is still running, and every failure sorted into "unreachable" (queue the
write) or "refused" (tell the user).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from teeckin import Call, Teeckin, Token
from teeckin.cli import config
from teeckin.errors import APIError, TeeckinError, TransportError

# Retry-After is honoured up to this many seconds per wait; the SDK retries at most this many times.
MAX_WAIT_SECONDS = 20.0
MAX_RETRIES = 2
# A gateway in front of a stopped server answers these: as good as unreachable.
GATEWAY_DOWN = {502, 503, 504}
SESSION_HEADER = "X-Teeckin-Session"


class Unreachable(Exception):
    """The server could not be reached (or answered from behind a dead gateway): queue writes."""


@dataclass
class Refused(Exception):
    """The server refused: its envelope's ``message`` and ``code`` are for the user."""

    status: int
    code: str
    message: str
    details: Any = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.message} ({self.code})"

    @property
    def final(self) -> bool:
        """Whether the write itself was refused. Not when the credential was (401, 403: fix the login
        and the write goes through), the rate limit held it (429) or its key's first request still
        runs: a queued write refused that way stays queued."""
        return self.status not in (401, 403, 429) and self.code != "IDEMPOTENCY_KEY_IN_PROGRESS"


class FileTokenStore:
    """The SDK's token store, kept in the config directory (0600) so each run need not ask for a token."""

    def __init__(self, credentials: config.Credentials) -> None:
        self.credentials = credentials

    def load(self) -> Token | None:
        cached = config.token_cached(self.credentials)
        return Token(access_token=cached[0], expires_at=cached[1]) if cached else None

    def save(self, token: Token) -> None:
        config.token_store(self.credentials, token.access_token, token.expires_at)

    def clear(self) -> None:
        config.token_forget()


def _raw(body: Any) -> Any:
    return body


class Api:
    def __init__(self, credentials: config.Credentials, *, timeout: float = 10.0) -> None:
        self.credentials = credentials
        self.timeout = timeout
        self._clients: dict[str | None, Teeckin] = {}

    def _client(self, session: str | None) -> Teeckin:
        """One SDK client per session value: the session travels as a default header of its client."""
        if session not in self._clients:
            headers = {SESSION_HEADER: session} if session else {}
            self._clients[session] = Teeckin(
                base_url=self.credentials.server,
                client_id=self.credentials.client_id,
                client_secret=self.credentials.client_secret,
                timeout=self.timeout,
                max_retries=MAX_RETRIES,
                max_retry_wait=MAX_WAIT_SECONDS,
                token_store=FileTokenStore(self.credentials),
                http_client=httpx.Client(headers=headers),
            )
        return self._clients[session]

    def close(self) -> None:
        for client in self._clients.values():
            client._http.close()  # we gave it this httpx client, so closing it is ours to do
        self._clients.clear()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        key: str | None = None,
        session: str | None = None,
    ) -> Any:
        """Send one request; its JSON answer (None for an empty one)."""
        call = Call.make(method, path, _raw, json=body, params=params, idempotency_key=key)
        waits = 0
        while True:
            try:
                return self._client(session).request(call)
            except TransportError as error:
                raise Unreachable(str(error.__cause__ or error)) from None
            except APIError as error:
                if error.code == "IDEMPOTENCY_KEY_IN_PROGRESS" and waits < MAX_RETRIES:
                    waits += 1
                    time.sleep(min(float(error.headers.get("retry-after", "1") or 1), MAX_WAIT_SECONDS))
                    continue
                if error.status_code in GATEWAY_DOWN:
                    raise Unreachable(f"HTTP {error.status_code}") from None
                raise Refused(error.status_code, error.code, error.message, error.details) from None
            except TeeckinError as error:
                raise Refused(0, "CLIENT_ERROR", str(error)) from None
