"""PostgreSQL stopped, then frozen, under a request loop: 503 SERVICE_UNAVAILABLE with Retry-After while it
is away, bounded waits while it is frozen, and service again without restarting anything.

    python benchmarks/postgres_outage.py [down_seconds=20] [frozen_seconds=20] [interval_seconds=0.2]

Starts a private PostgreSQL cluster (initdb; PG_BIN, default /usr/lib/postgresql/15/bin) and a private
Redis on free ports, and gunicorn (2 sync workers, gunicorn.conf.py) on them. One client alternates
GET /api/agent/timer and POST /api/agent/time. Phases: 5 s up; the cluster stopped (pg_ctl stop -m fast)
for down_seconds; started again, 10 s; every PostgreSQL process stopped with SIGSTOP for frozen_seconds;
resumed, 10 s.
"""

from __future__ import annotations

import json
import signal
import sys
import time

from reliability_harness import (
    PrivatePostgres,
    PrivateRedis,
    http,
    service_env,
    setup_agent,
    start_gunicorn,
    stop,
    token_for,
)


def loop(base: str, token: str, seconds: float, interval: float) -> list[tuple[float, int, float, str, str]]:
    """(time, status, seconds, code, Retry-After) for each request made during ``seconds``."""
    results = []
    started = time.monotonic()
    n = 0
    while time.monotonic() - started < seconds:
        n += 1
        sent = time.monotonic()
        try:
            if n % 2:
                status, headers, body = http("GET", f"{base}/api/agent/timer", token=token, timeout=35)
            else:
                data = {"topic": "Bench", "duration_minutes": 5, "notes": f"outage-{n}"}
                status, headers, body = http(
                    "POST", f"{base}/api/agent/time", data=data, token=token, timeout=35
                )
            code = json.loads(body).get("code", "") if status >= 400 else ""
        except OSError:
            status, headers, code = 0, {}, ""
        results.append((sent, status, time.monotonic() - sent, code, headers.get("Retry-After", "")))
        time.sleep(interval)
    return results


def report(name: str, results: list[tuple[float, int, float, str, str]]) -> None:
    unavailable = [r for r in results if r[1] == 503 and r[3] == "SERVICE_UNAVAILABLE" and r[4]]
    ok = [r for r in results if 200 <= r[1] < 300]
    statuses = {
        status: sum(1 for r in results if r[1] == status) for status in sorted({r[1] for r in results})
    }
    print(
        f"{name:28} {len(results):4} requests: {len(ok)} 2xx, {len(unavailable)} 503 with Retry-After "
        f"({100 * len(unavailable) / max(len(results), 1):.0f}%), statuses {statuses}, "
        f"slowest {max(r[2] for r in results):.2f} s"
    )


def recovery(name: str, base: str, token: str, interval: float) -> None:
    """10 s of requests right after the server came back, and how soon the first one succeeded."""
    back = time.monotonic()
    after = loop(base, token, 10, interval)
    first_ok = next((r[0] - back for r in after if 200 <= r[1] < 300), None)
    report(name, after)
    print(
        f"{'':28} first 2xx {first_ok:.2f} s after the server was back" if first_ok is not None else "no 2xx"
    )


def main(down_seconds: float, frozen_seconds: float, interval: float) -> None:
    redis, postgres = PrivateRedis(), PrivatePostgres()
    env = service_env(postgres.url, redis.url())
    web = None
    try:
        credentials = setup_agent(env)
        web, base = start_gunicorn(env)
        token = token_for(base, credentials)

        report("up", loop(base, token, 5, interval))
        postgres.stop()
        report("stopped", loop(base, token, down_seconds, interval))
        postgres.start()
        recovery("started again", base, token, interval)
        postgres.signal_all(signal.SIGSTOP)
        report("frozen (SIGSTOP)", loop(base, token, frozen_seconds, interval))
        postgres.signal_all(signal.SIGCONT)
        recovery("resumed", base, token, interval)
    finally:
        if web is not None:
            stop(web)
        redis.stop()
        postgres.remove()


if __name__ == "__main__":
    args = [float(a) for a in sys.argv[1:]]
    main(*(args + [20, 20, 0.2][len(args) :]))
