"""The ASGI application: one process serves the admin, the REST API, the OAuth pages and the MCP endpoint.

A Starlette root owns the lifespan (the MCP SDK's session manager must run for the whole life of the
process). ``/mcp`` goes to the SDK behind McpGate (hosts, origins, bearer tokens); everything else to
Django's WSGI handler, run by a2wsgi on a small pool of threads kept for the life of the process.

Why WSGI under ASGI: Django's own ASGI handler runs each request's sync code in a new thread, so
thread-local state (database connections) was never reused and the extra hops cost half of the REST
throughput and most of its tail latency against gunicorn's sync workers (benchmarks/http_vs_bare.py).
On reused threads Django behaves as under a sync worker, while /mcp stays async in the same process.
``DJANGO_THREADS`` (default 1) is how many requests one process runs at once; more wait in the event loop.
One, as a sync worker runs: threads of one process contend for the GIL, and with four every request cost
about a third more server CPU (benchmarks/http_vs_bare.py, docs/benchmarks.md). Concurrency comes
from worker processes (gunicorn ``--workers``), as with sync workers; /mcp keeps its own thread.

Served by ``./dev run`` (uvicorn with reload) and by the Docker image (gunicorn with uvicorn workers).
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
django_wsgi = get_wsgi_application()  # sets Django up before the apps' modules are imported

from a2wsgi import WSGIMiddleware  # noqa: E402
from mcp.server.transport_security import TransportSecuritySettings  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402

from apps.mcp_server.gate import McpGate  # noqa: E402
from apps.mcp_server.server import mcp  # noqa: E402
from config.startup import startup_freeze  # noqa: E402

# Stateless: every request stands alone, so any worker process can answer any request (no sticky
# sessions) and clients of the 2026-07-28 protocol, which has no handshake, are served as well. Host and
# Origin are checked by McpGate against ALLOWED_HOSTS (Django's rules, wildcards included), so the SDK's
# own localhost-only check is switched off rather than configured twice.
mcp.streamable_http_app(
    stateless_http=True,
    transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
)
mcp_endpoint = McpGate(mcp.session_manager.handle_request)
django_application = WSGIMiddleware(django_wsgi, workers=int(os.environ.get("DJANGO_THREADS", "1")))


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    async with mcp.session_manager.run():
        yield


application = Starlette(
    routes=[
        # /mcp exactly (what clients are given) and /mcp/ (what some add): a Mount alone redirects the former.
        Route("/mcp", endpoint=mcp_endpoint),
        Mount("/mcp", app=mcp_endpoint),
        Mount("/", app=django_application),
    ],
    lifespan=lifespan,
)
startup_freeze()
