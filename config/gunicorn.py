"""Gunicorn's own answers in the API's JSON envelope instead of its HTML pages (wired in gunicorn.conf.py).

Gunicorn answers some requests before Django sees them: a malformed request, a request line or headers
over its limits (400, 414, 431), and, with the sync worker, nothing at all when it kills a worker that
overran ``timeout`` (the client's connection just drops). Here both become the envelope, since /api/
clients parse JSON; a browser on an admin page meets these only for a request no browser sends.

What remains: a response the application had already started sending when its worker was killed
cannot be replaced (the client gets a truncated answer); every dependency wait in the application is
bounded well below ``timeout`` (docs/operations.md, "Failure behaviour"), so this needs a request that
computes for 30 s.
"""

from __future__ import annotations

import json
import socket
from contextlib import suppress
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

_CODES = {400: "MALFORMED_REQUEST", 403: "FORBIDDEN", 414: "URI_TOO_LONG", 431: "HEADERS_TOO_LARGE"}


def _response(status: int, reason: str, message: str, code: str, extra_headers: str = "") -> bytes:
    body = json.dumps({"error": message, "code": code, "details": {}})
    return (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Cache-Control: no-store\r\n{extra_headers}Content-Length: {len(body)}\r\n\r\n{body}"
    ).encode("latin-1")


def write_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Replaces ``gunicorn.util.write_error`` (same signature), which writes an HTML page."""
    code = _CODES.get(status_int, "INTERNAL_ERROR" if status_int >= 500 else "BAD_REQUEST")
    util.write_nonblock(sock, _response(status_int, reason, f"{reason}: {mesg}"[:500], code))


class EnvelopeSyncWorker(SyncWorker):
    """Gunicorn's sync worker that, when the master kills it for overrunning ``timeout``, first answers
    the request in hand with 503 (Retry-After), instead of dropping the connection."""

    _client: socket.socket | None = None

    def handle(self, listener: Any, client: socket.socket, addr: Any) -> None:
        self._client = client
        try:
            super().handle(listener, client, addr)
        finally:
            self._client = None

    def handle_abort(self, sig: int, frame: Any) -> None:
        client = self._client
        if client is not None:
            message = (
                "The request did not finish within the server's time limit. A write may or may not "
                "have taken effect: check before repeating it."
            )
            with suppress(OSError):
                client.sendall(
                    _response(
                        503, "Service Unavailable", message, "SERVICE_UNAVAILABLE", "Retry-After: 5\r\n"
                    )
                )
                # Gunicorn would write its own 500 after this while unwinding: the answer is complete.
                client.shutdown(socket.SHUT_RDWR)
        super().handle_abort(sig, frame)
