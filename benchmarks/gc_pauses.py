"""Garbage-collector pauses in a serving process, with and without freezing its start-up objects.

    python benchmarks/gc_pauses.py                 # 2,000 timer starts and stops, PostgreSQL + Redis
    python benchmarks/gc_pauses.py --requests 5000

Each variant runs in a process of its own: Django set up as a worker is (config/asgi.py, which calls
config/startup.startup_freeze), then, for the "not frozen" variant, ``gc.unfreeze()`` puts the start-up
objects back in the collector's sight. Both then serve the same stream in-process through the full
Django stack (a timer start and a stop per pair) while a ``gc.callbacks`` hook times every collection.
The longest pause is what a request queued behind a collection waits; the database named by
--database-url is created if missing and migrated (use a scratch database).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROBE = """
import gc, json, os, sys, time
sys.path.insert(0, {root!r})
from benchmarks.http_vs_bare import START_BODY, STOP_BODY, fixtures_make, server_env
form = fixtures_make(server_env({database_url!r}, {redis_url!r}))
import config.asgi  # noqa: F401  (the serving module: loads the URLconf and freezes)
if not {frozen!r}:
    gc.unfreeze()
from django.test import Client
client = Client()
token = client.post("/api/oauth/token", form).json()["access_token"]
headers = dict(content_type="application/json", HTTP_AUTHORIZATION="Bearer " + token)
def pair():
    client.post("/api/agent/timer/start", START_BODY, **headers)
    client.post("/api/agent/timer/stop", STOP_BODY, **headers)
for _ in range(50):
    pair()
pauses, started = [], [0.0]
def timed(phase, info):
    if phase == "start":
        started[0] = time.perf_counter()
    else:
        pauses.append((info["generation"], time.perf_counter() - started[0]))
gc.callbacks.append(timed)
begun = time.perf_counter()
for _ in range({pairs}):
    pair()
elapsed = time.perf_counter() - begun
gc.callbacks.remove(timed)
print(json.dumps({{"elapsed": elapsed, "pauses": pauses, "tracked": len(gc.get_objects())}}))
"""


def variant_run(args: argparse.Namespace, frozen: bool) -> dict[str, object]:
    code = PROBE.format(
        root=str(ROOT),
        database_url=args.database_url,
        redis_url=args.redis_url,
        frozen=frozen,
        pairs=args.requests // 2,
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/teeckin_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    from benchmarks.http_vs_bare import database_ensure

    database_ensure(args.database_url)
    print(f"{args.requests} requests (timer start and stop pairs), in-process, PostgreSQL + Redis\n")
    print("| start-up objects | tracked objects | collections (gen 0/1/2) | GC time | longest pause | run |")
    print("| --- | --- | --- | --- | --- | --- |")
    for frozen in (False, True):
        result = variant_run(args, frozen)
        pauses = result["pauses"]
        counts = [sum(1 for generation, _ in pauses if generation == g) for g in (0, 1, 2)]
        total = sum(seconds for _, seconds in pauses)
        longest = max((seconds for _, seconds in pauses), default=0.0)
        print(
            f"| {'frozen' if frozen else 'not frozen'} | {result['tracked']:,} | "
            f"{'/'.join(map(str, counts))} | {total * 1000:.0f} ms | {longest * 1000:.1f} ms | "
            f"{result['elapsed']:.1f} s |"
        )


if __name__ == "__main__":
    main()
