"""What the sync and async clients share: options, calls, tokens, retry decisions and answers.

Only sending and sleeping differ between ``Teeckin`` and ``AsyncTeeckin``; everything decided about a
request (its headers, whether and when to retry it, what its answer means) is decided here, once.
"""

from __future__ import annotations

import os
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Generic, Protocol, TypeVar

import httpx

from teeckin.errors import APIError, TeeckinError, error_from_response

T = TypeVar("T")

__version__ = "0.1.0"

TOKEN_PATH = "/api/oauth/token"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RETRY_STATUSES = frozenset({429, 503})
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


@dataclass(frozen=True)
class Token:
    """An access token and when it stops working (seconds since the epoch)."""

    access_token: str
    expires_at: float
    scope: str | None = None

    def usable(self, *, now: float, margin: float) -> bool:
        return now < self.expires_at - margin


class TokenStore(Protocol):
    """Where a client keeps its access token between requests (and, for a CLI, between runs).

    ``load`` returns the stored token or None; ``save`` replaces it; ``clear`` forgets it. The client
    decides when a token is too old, so a store only stores.
    """

    def load(self) -> Token | None: ...

    def save(self, token: Token) -> None: ...

    def clear(self) -> None: ...


class MemoryTokenStore:
    """The default store: the token lives as long as the client object."""

    def __init__(self) -> None:
        self._token: Token | None = None
        self._lock = threading.Lock()

    def load(self) -> Token | None:
        with self._lock:
            return self._token

    def save(self, token: Token) -> None:
        with self._lock:
            self._token = token

    def clear(self) -> None:
        with self._lock:
            self._token = None


@dataclass
class Options:
    """Everything a client is configured with. Arguments left out come from the environment
    (``TEECKIN_URL``, ``TEECKIN_API_KEY``, ``TEECKIN_CLIENT_ID``, ``TEECKIN_CLIENT_SECRET``,
    ``TEECKIN_WEBHOOK_SECRET``)."""

    base_url: str
    api_key: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str | None = None
    timeout: httpx.Timeout | float = field(default_factory=lambda: DEFAULT_TIMEOUT)
    max_retries: int = 2
    max_retry_wait: float = 60.0
    backoff: float = 0.5
    token_store: TokenStore = field(default_factory=MemoryTokenStore)
    # A token is renewed this many seconds before it expires, so a request never leaves with a token
    # that dies on the way.
    renew_margin: float = 60.0
    clock: Callable[[], float] = time.time
    user_agent: str = f"teeckin-python/{__version__}"
    # The signing secret (whsec_…) that webhooks.verify uses when it is given none.
    webhook_secret: str | None = None

    @classmethod
    def build(cls, **given: Any) -> Options:
        values = {name: value for name, value in given.items() if value is not None}
        for name, variable in (
            ("base_url", "TEECKIN_URL"),
            ("api_key", "TEECKIN_API_KEY"),
            ("client_id", "TEECKIN_CLIENT_ID"),
            ("client_secret", "TEECKIN_CLIENT_SECRET"),
            ("webhook_secret", "TEECKIN_WEBHOOK_SECRET"),
        ):
            if name not in values and os.environ.get(variable):
                values[name] = os.environ[variable]
        if "base_url" not in values:
            raise TeeckinError("No server: pass base_url= or set TEECKIN_URL.")
        values["base_url"] = values["base_url"].rstrip("/")
        options = cls(**values)
        if options.api_key is None and not (options.client_id and options.client_secret):
            raise TeeckinError("No credentials: pass api_key=, or client_id= and client_secret=.")
        return options

    @property
    def uses_token(self) -> bool:
        return self.api_key is None


@dataclass(frozen=True)
class Call(Generic[T]):
    """One logical API call: what to send and how to read the answer.

    ``idempotency_key`` is fixed when the call is made, so every retry of it carries the same key and
    the server executes it once.
    """

    method: str
    path: str
    parse: Callable[[Any], T]
    json: Any = None
    params: Mapping[str, Any] | None = None
    form: Mapping[str, str] | None = None
    authenticated: bool = True
    idempotency_key: str | None = None

    @classmethod
    def make(cls, method: str, path: str, parse: Callable[[Any], T], **kwargs: Any) -> Call[T]:
        if method in WRITE_METHODS and kwargs.get("authenticated", True):
            kwargs["idempotency_key"] = kwargs.get("idempotency_key") or str(uuid.uuid4())
        return cls(method=method, path=path, parse=parse, **kwargs)

    def request_kwargs(self, options: Options, auth_headers: Mapping[str, str]) -> dict[str, Any]:
        headers = {"User-Agent": options.user_agent, "Accept": "application/json", **auth_headers}
        if self.idempotency_key is not None:
            headers["Idempotency-Key"] = self.idempotency_key
        kwargs: dict[str, Any] = {
            "method": self.method,
            "url": options.base_url + self.path,
            "headers": headers,
            "timeout": options.timeout,
        }
        if self.params:
            kwargs["params"] = {key: value for key, value in self.params.items() if value is not None}
        if self.form is not None:
            kwargs["data"] = dict(self.form)
        elif self.json is not None:
            kwargs["json"] = self.json
        return kwargs


def token_call(options: Options) -> Call[Token]:
    """The client-credentials request (RFC 6749 §4.4) and how to read its answer into a ``Token``."""
    form = {
        "grant_type": "client_credentials",
        "client_id": options.client_id or "",
        "client_secret": options.client_secret or "",
    }
    if options.scope:
        form["scope"] = options.scope
    requested_at = options.clock()

    def parse(body: Any) -> Token:
        # Counted from when the request left: the server's clock started no earlier than that.
        return Token(
            access_token=body["access_token"],
            expires_at=requested_at + float(body["expires_in"]),
            scope=options.scope,
        )

    return Call.make("POST", TOKEN_PATH, parse, form=form, authenticated=False)


def api_key_headers(options: Options) -> dict[str, str]:
    return {"X-API-Key": options.api_key} if options.api_key else {}


def bearer_headers(token: Token) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.access_token}"}


def retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date (RFC 9110 §10.2.3)."""
    value = headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


def backoff_delay(options: Options, attempt: int) -> float:
    """Exponential backoff with full jitter: spreads out clients that failed together."""
    return random.uniform(0, options.backoff * 2**attempt)  # noqa: S311 - jitter, not a secret


def status_retry_delay(response: httpx.Response, options: Options, attempt: int) -> float | None:
    """How long to wait before retrying this answer, or None to not retry it.

    429 and 503 are retried, as ``Retry-After`` says when it says, at most ``max_retries`` times and
    never when the wait would exceed ``max_retry_wait`` (a quota that resets in an hour is an error to
    report, not a reason to hang).
    """
    if response.status_code not in RETRY_STATUSES or attempt >= options.max_retries:
        return None
    delay = retry_after_seconds(response.headers, options.clock())
    if delay is None:
        delay = backoff_delay(options, attempt)
    return delay if delay <= options.max_retry_wait else None


def transport_retry_delay(options: Options, attempt: int) -> float | None:
    """Connection failures are retried like 503s. Writes are safe to resend: they carry their key."""
    if attempt >= options.max_retries:
        return None
    return backoff_delay(options, attempt)


def parse_answer(call: Call[T], response: httpx.Response) -> T:
    """The call's result for a 2xx answer; the matching ``APIError`` otherwise."""
    if response.status_code >= 400:
        try:
            body = response.json()
        except ValueError:
            body = None
        raise error_from_response(response.status_code, body, response.headers)
    if response.status_code == 204 or not response.content:
        return call.parse(None)
    try:
        body = response.json()
    except ValueError as exc:
        raise APIError(
            "The server's answer is not JSON.",
            status_code=response.status_code,
            code="INVALID_RESPONSE",
            headers=response.headers,
        ) from exc
    return call.parse(body)


def is_token_rejection(call: Call[Any], response: httpx.Response, options: Options) -> bool:
    """A 401 to a bearer request: the token expired or was pruned early; worth one fresh token."""
    return call.authenticated and options.uses_token and response.status_code == 401


def webhook_secret_of(options: Options, secret: str | None) -> str:
    chosen = secret or options.webhook_secret
    if not chosen:
        raise TeeckinError("No webhook secret: pass it to verify() or as webhook_secret= to the client.")
    return chosen
