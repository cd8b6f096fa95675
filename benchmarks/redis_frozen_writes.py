"""Redis frozen (SIGSTOP) for a while during a write loop: no request waits on it, none fails, none is
written twice, and every webhook event is delivered once Redis is back.

    python benchmarks/redis_frozen_writes.py [freeze_seconds=60] [interval_seconds=0.1]

Needs redis-server and PostgreSQL's binaries (PG_BIN, default /usr/lib/postgresql/15/bin): it starts a
private Redis and a private PostgreSQL cluster on free ports, gunicorn (2 sync workers, gunicorn.conf.py)
and a Celery worker on them, and a local webhook receiver. One client POSTs /api/agent/time every
interval (and, like the probe's client, retries once after a 5xx or a timeout); Redis is frozen from the
5th second for freeze_seconds, then thawed; the loop goes on 10 more seconds. Then the sweeper runs (as
the beat job would) and the script waits for every delivery.
"""

from __future__ import annotations

import sys
import time

from reliability_harness import (
    PYTHON,
    ROOT,
    PrivatePostgres,
    PrivateRedis,
    Receiver,
    http,
    manage,
    service_env,
    setup_agent,
    start_gunicorn,
    stop,
    token_for,
)

DELIVERED = """
from apps.webhooks.models import WebhookDelivery, WebhookEvent
from apps.clocked_times.models import ClockedTime
from django.db.models import Count
notes = ClockedTime.objects.values("notes").annotate(n=Count("id"))
print(WebhookEvent.objects.count(), WebhookDelivery.objects.filter(status="delivered").count(),
      ClockedTime.objects.count(), notes.count())
"""


def main(freeze_seconds: float, interval: float) -> None:
    import subprocess

    redis, postgres, receiver = PrivateRedis(), PrivatePostgres(), Receiver()
    env = service_env(postgres.url, redis.url())
    processes = []
    try:
        credentials = setup_agent(env, receiver.url)
        web, base = start_gunicorn(env)
        worker = subprocess.Popen(
            [PYTHON, "-m", "celery", "-A", "teeckin", "worker", "--pool", "solo", "--loglevel", "ERROR"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes = [web, worker]
        token = token_for(base, credentials)

        results: list[tuple[float, int, float]] = []  # (time, status, seconds)
        retries = 0
        started = time.monotonic()
        frozen_at, thawed_at = 5.0, 5.0 + freeze_seconds
        frozen = False
        n = 0
        while (now := time.monotonic() - started) < thawed_at + 10:
            if not frozen and frozen_at <= now < thawed_at:
                redis.freeze()
                frozen = True
            if frozen and now >= thawed_at:
                redis.thaw()
                frozen = False
            n += 1
            for _attempt in range(2):
                sent = time.monotonic()
                try:
                    status, _, _ = http(
                        "POST",
                        f"{base}/api/agent/time",
                        data={"topic": "Bench", "duration_minutes": 5, "notes": f"bench-{n}"},
                        token=token,
                        timeout=35,
                    )
                except OSError:
                    status = 0  # timed out or dropped
                results.append((sent - started, status, time.monotonic() - sent))
                if status and status < 500:
                    break
                retries += 1
            time.sleep(interval)
        if frozen:
            redis.thaw()

        manage(
            env,
            "shell",
            "-c",
            "from apps.webhooks.services import deliveries_enqueue_due; deliveries_enqueue_due()",
        )
        deadline = time.monotonic() + 300
        while True:
            events, delivered, entries, distinct = map(
                int, manage(env, "shell", "-v", "0", "-c", DELIVERED).split()
            )
            if delivered >= events or time.monotonic() > deadline:
                break
            time.sleep(2)
        during = [r for r in results if frozen_at <= r[0] < thawed_at]
        print(
            f"writes: {n}, requests: {len(results)} ({retries} retries), {len(during)} while Redis was frozen"
        )
        print(
            f"slowest answer: {max(r[2] for r in results):.3f} s "
            f"(while frozen: {max(r[2] for r in during):.3f} s)"
        )
        print(f"answers over 2 s: {sum(1 for r in results if r[2] > 2)}")
        print(f"5xx or no answer: {sum(1 for r in results if r[1] == 0 or r[1] >= 500)}")
        print(f"statuses: {sorted({r[1] for r in results})}")
        print(f"time entries: {entries}, distinct notes: {distinct} -> duplicates: {entries - distinct}")
        print(
            f"events: {events}, delivered: {delivered}, receiver got {len(set(receiver.ids))} distinct ids "
            f"({len(receiver.ids)} posts)"
        )
    finally:
        for process in processes:
            stop(process)
        receiver.close()
        redis.stop()
        postgres.remove()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 60, float(sys.argv[2]) if len(sys.argv) > 2 else 0.1)
