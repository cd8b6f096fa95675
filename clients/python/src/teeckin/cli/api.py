"""The CLI's connection to the server: token from the cache (renewed before expiry and once on a 401),
Retry-After honoured on 429 and 503 (bounded), and every failure sorted into "unreachable" (queue it)
or "refused" (tell the user)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from teeckin.cli import config

# Retry-After is honoured up to this many seconds per wait, and at most this many times per request.
MAX_WAIT_SECONDS = 20.0
MAX_RETRIES = 3
# A gateway in front of a stopped server answers these: the server is as good as unreachable.
GATEWAY_DOWN = {502, 503, 504}


class Unreachable(Exception):
    """The server could not be reached (or answered from behind a dead gateway): queue writes."""


@dataclass
class Refused(Exception):
    """The server answered with an error envelope: ``message`` and ``code`` for the user."""

    status: int
    code: str
    message: str
    details: Any = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.message} ({self.code})"


def _envelope(response: httpx.Response) -> Refused:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    code = body.get("code") or str(body.get("error", "")).upper() or f"HTTP_{response.status_code}"
    message = body.get("error_description") or body.get("error") or response.reason_phrase or "Refused."
    return Refused(response.status_code, str(code), str(message), body.get("details") or {})


def _retry_after(response: httpx.Response) -> float:
    try:
        seconds = float(response.headers.get("Retry-After", "1"))
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_WAIT_SECONDS)


class Api:
    def __init__(self, credentials: config.Credentials, *, timeout: float = 10.0) -> None:
        self.credentials = credentials
        self.http = httpx.Client(base_url=credentials.server, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def token(self, *, renew: bool = False) -> str:
        if not renew:
            cached = config.token_cached(self.credentials, now=time.time())
            if cached:
                return cached
        try:
            response = self.http.post(
                "/api/oauth/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": self.credentials.client_id,
                    "client_secret": self.credentials.client_secret,
                },
            )
        except httpx.TransportError as error:
            raise Unreachable(str(error)) from None
        if response.status_code in GATEWAY_DOWN:
            raise Unreachable(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise _envelope(response)
        body = response.json()
        config.token_store(self.credentials, body["access_token"], time.time() + float(body["expires_in"]))
        return body["access_token"]

    def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        key: str | None = None,
        session: str | None = None,
    ) -> tuple[httpx.Response, Any]:
        """Send one request (with retries as the server asks); the response and its JSON on success."""
        renewed = False
        waits = 0
        token = self.token()
        while True:
            headers = {"Authorization": f"Bearer {token}"}
            if key:
                headers["Idempotency-Key"] = key
            if session:
                headers["X-Teeckin-Session"] = session
            try:
                response = self.http.request(method, path, json=body, params=params, headers=headers)
            except httpx.TransportError as error:
                raise Unreachable(str(error)) from None
            if response.status_code == 401 and not renewed:
                renewed = True
                token = self.token(renew=True)
                continue
            in_progress = response.status_code == 409 and _code(response) == "IDEMPOTENCY_KEY_IN_PROGRESS"
            if (response.status_code in (429, 503) or in_progress) and waits < MAX_RETRIES:
                waits += 1
                time.sleep(_retry_after(response))
                continue
            if response.status_code in GATEWAY_DOWN:
                raise Unreachable(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise _envelope(response)
            return response, (response.json() if response.content else None)


def _code(response: httpx.Response) -> str:
    try:
        return str(response.json().get("code", ""))
    except (ValueError, AttributeError):
        return ""
