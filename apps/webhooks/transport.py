"""Outbound HTTP for webhooks, with the server-side request forgery checks.

A URL is checked when an endpoint is saved and again on every attempt. On an attempt the host is resolved
once, every address is checked, and the connection goes to the checked address itself (TLS still verifies
the certificate and sends SNI for the host name), so a name that re-resolves to a private address between
the check and the connect (DNS rebinding) cannot slip through. Redirects are never followed.

Each attempt has one overall deadline, connect to last byte (``WEBHOOK_ATTEMPT_DEADLINE_SECONDS``). Socket
timeouts alone bound each read, so a receiver trickling a header line every few seconds held an attempt
for minutes: a watchdog timer shuts the socket down when the deadline passes, whatever it is waiting for.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURL(ValueError):
    """The URL may not be called: wrong scheme, unresolvable, or resolving to a non-public address."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    host_header: str
    addresses: tuple[IPAddress, ...]


@dataclass(frozen=True)
class Response:
    status: int | None
    body: str
    retry_after: str | None
    duration_ms: int
    error: str = ""


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_ipv4(address: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is where packets really go."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _address_allowed(address: IPAddress, *, allow_loopback: bool) -> bool:
    address = _embedded_ipv4(address)
    if address.is_loopback:
        return allow_loopback
    # is_global is False for private, loopback, link-local (169.254.169.254 metadata included), shared
    # (100.64/10), reserved, unspecified and documentation ranges; multicast is never a web server.
    return address.is_global and not address.is_multicast


def url_resolve(url: str) -> Target:
    """Check ``url`` and resolve its host; raise UnsafeURL if it may not be called.

    Production allows only https to public addresses. With WEBHOOKS_ALLOW_LOOPBACK_HTTP (development and
    tests) loopback addresses are allowed too, over http or https; private addresses never are.
    """
    allow_loopback = settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("The URL is not valid.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeURL("The URL must start with https:// and name a host.")
    if scheme == "http" and not allow_loopback:
        raise UnsafeURL("The URL must use https.")
    if parts.username or parts.password:
        raise UnsafeURL("The URL must not contain credentials.")
    host = parts.hostname
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeURL(f"The host '{host}' could not be resolved.") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    # Every address must pass: a name with one public and one private address is refused, since the
    # caller (or a rebinding resolver) could otherwise steer us to the private one.
    refused = [a for a in addresses if not _address_allowed(a, allow_loopback=allow_loopback)]
    if refused or not addresses:
        raise UnsafeURL(f"The URL resolves to a non-public address ({refused[0] if refused else 'none'}).")
    if scheme == "http" and not all(_embedded_ipv4(a).is_loopback for a in addresses):
        raise UnsafeURL("The URL must use https (plain http is allowed only to loopback addresses).")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(
        scheme=scheme,
        host=host,
        port=port,
        path=path,
        host_header=parts.netloc.rsplit("@", 1)[-1],
        addresses=tuple(dict.fromkeys(addresses)),
    )


def post(*, target: Target, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` to the checked addresses of ``target`` (the next one only if connecting fails, as a
    browser does for dual-stack hosts), all within one deadline; never raises for network or HTTP
    failures."""
    started = time.monotonic()
    deadline = started + settings.WEBHOOK_ATTEMPT_DEADLINE_SECONDS
    response = None
    for address in target.addresses:
        response = _post_to(
            address, target=target, body=body, headers=headers, started=started, deadline=deadline
        )
        if not response.error.startswith(_CONNECT_FAILED) or time.monotonic() >= deadline:
            break
    assert response is not None  # url_resolve never returns a target without addresses
    return response


_CONNECT_FAILED = "connection error: could not connect"


class _Watchdog:
    """Shuts the attempt's socket down at the deadline, which ends any read or write blocked on it."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.expired = False
        self._timers: list[threading.Timer] = []

    def watch(self, sock: socket.socket) -> None:
        def expire() -> None:
            self.expired = True
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(max(self.deadline - time.monotonic(), 0), expire)
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()


class _Watched:
    """Connection mixin: hands the TCP socket to the attempt's watchdog as soon as it is connected, so for
    https the TLS handshake is watched too. The watchdog comes through the pool's connection kwargs."""

    def __init__(self, *args: Any, watchdog: _Watchdog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watchdog = watchdog

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        self._watchdog.watch(sock)
        return sock


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


def _post_to(
    address: IPAddress,
    *,
    target: Target,
    body: bytes,
    headers: dict[str, str],
    started: float,
    deadline: float,
) -> Response:
    remaining = max(deadline - time.monotonic(), 0.001)
    timeout = urllib3.Timeout(
        connect=min(settings.WEBHOOK_CONNECT_TIMEOUT_SECONDS, remaining),
        read=min(settings.WEBHOOK_READ_TIMEOUT_SECONDS, remaining),
    )
    watchdog = _Watchdog(deadline)
    if target.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            str(address),
            target.port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            server_hostname=target.host,
            assert_hostname=target.host,
            watchdog=watchdog,
        )
        pool.ConnectionCls = _WatchedHTTPSConnection
    else:
        pool = urllib3.HTTPConnectionPool(
            str(address), target.port, timeout=timeout, retries=False, watchdog=watchdog
        )
        pool.ConnectionCls = _WatchedHTTPConnection
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            text = response.read(settings.WEBHOOK_RESPONSE_LOG_BYTES, decode_content=True)
        finally:
            response.release_conn()
        if watchdog.expired:  # the body was cut short: the receiver did not finish in time
            raise urllib3.exceptions.ReadTimeoutError(pool, target.path, "attempt deadline passed")
        return Response(
            status=response.status,
            body=text.decode("utf-8", errors="replace"),
            retry_after=response.headers.get("Retry-After"),
            duration_ms=_elapsed_ms(started),
        )
    except urllib3.exceptions.NewConnectionError as exc:
        # Refused or unreachable (urllib3 2 makes this a subclass of the connect timeout).
        error = f"{_CONNECT_FAILED} to {address}: {exc}"
    except urllib3.exceptions.TimeoutError as exc:
        error = f"timeout: {exc}"
    except urllib3.exceptions.HTTPError as exc:
        error = f"connection error: {exc}"
    finally:
        watchdog.cancel()
        pool.close()
    if watchdog.expired:
        seconds = settings.WEBHOOK_ATTEMPT_DEADLINE_SECONDS
        error = f"timeout: no complete answer within the attempt deadline of {seconds} s"
    return Response(status=None, body="", retry_after=None, duration_ms=_elapsed_ms(started), error=error)


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
