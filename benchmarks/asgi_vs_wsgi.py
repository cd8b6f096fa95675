"""REST throughput under ASGI (gunicorn + uvicorn workers, what the Docker image runs now) against WSGI
(gunicorn sync workers, what it ran before), same worker count, same database, same requests.

    python benchmarks/asgi_vs_wsgi.py --database-url postgres://postgres@127.0.0.1:5432/scratch \\
        [--workers 1] [--clients 8] [--seconds 5] [--rounds 3]

The database is migrated and gets a benchmark organization, user and agent: use a scratch database
(default: SQLite in a temporary directory). Each server serves authenticated GET /api/agent/timer (token
lookup, one query for the timer) and POST /api/agent/timer/start + stop pairs from ``--clients`` threads
for ``--seconds``, in ``--rounds`` alternating rounds; rate limiting is off so nothing is refused. Prints
each round and the medians of requests per second and 95th-percentile latency.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(env: dict[str, str]) -> tuple[str, str]:
    """Migrate and create the benchmark agent; returns (client_id, client_secret)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from apps.agents.services import agent_create
    from apps.organizations.models import Membership, Organization
    from apps.topics.models import Category, Topic

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(name="Benchmark", defaults={"plan": "enterprise"})
    user, created = get_user_model().objects.get_or_create(username="bench-asgi")
    if created:
        Membership.objects.create(user=user, organization=organization, role="owner")
    category, _ = Category.objects.get_or_create(organization=organization, name="Bench")
    Topic.objects.get_or_create(organization=organization, category=category, name="Benchmarking")
    agent, issued = agent_create(user=user, name=f"bench {time.time()}")
    return agent.client_id, issued.plaintext


def serve(command: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"Server did not start: {' '.join(command)}")


def load(base: str, token: str, clients: int, seconds: float) -> tuple[int, list[float]]:
    import httpx2

    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    headers = {"Authorization": f"Bearer {token}"}

    def client(index: int) -> None:
        mine = []
        with httpx2.Client(base_url=base, headers=headers, timeout=30) as http:
            turn = 0
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                # Mostly reads, as agents poll; one write pair in four (one client's timer, its own user).
                if turn % 4 == 3 and index == 0:
                    http.post("/api/agent/timer/start", json={"topic": "Benchmarking"}).raise_for_status()
                    http.post("/api/agent/timer/stop", json={}).raise_for_status()
                else:
                    http.get("/api/agent/timer").raise_for_status()
                mine.append(time.perf_counter() - started)
                turn += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), latencies


def token_from(base: str, client_id: str, client_secret: str) -> str:
    import httpx2

    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": client_secret}
    response = httpx2.post(base + "/api/oauth/token", data=form, timeout=30)
    response.raise_for_status()
    return response.json()["access_token"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="teeckin-bench-")
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url or f"sqlite:///{scratch}/bench.sqlite3",
        "SECURE_SSL_REDIRECT": "0",
        "RATELIMIT_ENABLE": "0",
        "LOG_LEVEL": "WARNING",
    }
    client_id, client_secret = prepare(env)
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--log-level", "warning"]
    servers = {
        "WSGI  gunicorn sync workers    ": [*gunicorn, "config.wsgi:application"],
        "ASGI  gunicorn uvicorn workers ": [
            *gunicorn,
            "--worker-class",
            "uvicorn_worker.UvicornWorker",
            "config.asgi:application",
        ],
    }
    print(
        f"{args.workers} worker(s), {args.clients} clients, {args.seconds:g} s each, database "
        f"{env['DATABASE_URL'].split('://')[0]}; reads, and a timer start/stop pair in four of client 0's"
    )
    # The servers take turns (A B, B A, ...) so a busy neighbour on a shared machine hurts both alike.
    results: dict[str, list[float]] = {label: [] for label in servers}
    p95s: dict[str, list[float]] = {label: [] for label in servers}
    for round_number in range(args.rounds):
        order = list(servers.items())
        if round_number % 2:
            order.reverse()
        for label, command in order:
            port = free_port()
            process = serve([*command, "--bind", f"127.0.0.1:{port}"], env, port)
            try:
                base = f"http://127.0.0.1:{port}"
                token = token_from(base, client_id, client_secret)
                load(base, token, 2, 1)  # warm-up: connections, imports, caches
                count, latencies = load(base, token, args.clients, args.seconds)
            finally:
                process.terminate()
                process.wait(timeout=30)
            latencies.sort()
            results[label].append(count / args.seconds)
            p95s[label].append(latencies[int(len(latencies) * 0.95) - 1] * 1000)
            print(f"  round {round_number + 1}: {label} {count / args.seconds:8.1f} requests/s")
    for label in servers:
        print(
            f"{label} median {statistics.median(results[label]):8.1f} requests/s   "
            f"p95 {statistics.median(p95s[label]):6.1f} ms"
        )


if __name__ == "__main__":
    main()
