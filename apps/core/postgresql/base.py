"""Django's PostgreSQL backend with a client-side deadline on every wait for the server.

``statement_timeout`` is enforced by the server, so it cannot end a wait on a server that is frozen
(SIGSTOP, a paused container, a half-open connection): the kernel takes our query and nothing ever comes
back. psycopg's ``Connection.wait`` takes a timeout; this backend gives every wait one
(``OPTIONS["client_timeout"]``, seconds), closes the connection when it expires (its state is unknown)
and raises ``OperationalError``, which the API answers with 503 (apps/core/middleware.py). Connecting is
bounded by libpq's own ``connect_timeout``.

Configured as ``ENGINE = "apps.core.postgresql"`` (config/settings/base.py); everything else is Django's.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.db.backends.postgresql import base
from psycopg import errors


class DeadlineConnection(psycopg.Connection):
    client_timeout: float | None = None

    def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
        try:
            return super().wait(gen, interval=interval, timeout=timeout or self.client_timeout)
        except errors._WaitTimeout as exc:  # psycopg's own signal that the timeout passed
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"The database did not answer within {self.client_timeout} seconds; connection closed."
            ) from exc


class DatabaseWrapper(base.DatabaseWrapper):
    client_timeout: float | None = None

    def get_connection_params(self) -> dict[str, Any]:
        params = super().get_connection_params()
        # Ours, not libpq's: psycopg would refuse an unknown connection parameter.
        self.client_timeout = params.pop("client_timeout", None)
        return params

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        connection = super().get_new_connection(conn_params)
        # Django builds the connection with psycopg.connect (and sets it up); adopting our subclass
        # afterwards keeps all of that and only changes how long a wait may last.
        if type(connection) is psycopg.Connection:
            connection.__class__ = DeadlineConnection
            connection.client_timeout = self.client_timeout
        return connection
