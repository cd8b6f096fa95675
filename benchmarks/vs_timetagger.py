"""Teeckin against TimeTagger, a self-hosted Python time tracker, on equivalent operations, side by side.

    python benchmarks/vs_timetagger.py                      # gunicorn sync workers (2), PostgreSQL + Redis
    python benchmarks/vs_timetagger.py --server uvicorn     # gunicorn with uvicorn workers (ASGI)

TimeTagger is installed from PyPI into its own virtual environment under ``var/bench/`` (first run only)
and served its default way: one uvicorn process, SQLite, a localhost login token. The operations:

- read: Teeckin's timer status; TimeTagger's records of the last hour (how its client finds what runs),
  measured before any write so its range holds no benchmark records;
- start: Teeckin's timer start (stops the running timer, starts another, under the person's lock, the
  outbox and the topic resolution); TimeTagger's PUT of two records (the running one ended, a new one
  with t1 == t2), which is what its client sends;
- log: Teeckin's POST /api/agent/time; TimeTagger's PUT of one finished record.

Rounds alternate which server goes first; medians of requests per second, p99 latency and the server
processes' CPU time per request (the PostgreSQL server's own CPU is not in Teeckin's figure; TimeTagger's
SQLite runs inside its process). Rate limits are off for Teeckin.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.http_vs_bare import (
    ROOT,
    arguments_add,
    database_ensure,
    fixtures_make,
    free_port,
    server_cpu_seconds,
    server_env,
    server_start,
    token_fetch,
    wrk_run,
)

VENV = ROOT / "var" / "bench" / "timetagger-venv"


def timetagger_install() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "timetagger"], check=True)
    return python


def timetagger_start(python: Path, port: int, datadir: Path) -> subprocess.Popen:
    env = {**os.environ, "TIMETAGGER_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [str(python), "-m", "timetagger", f"--bind=127.0.0.1:{port}", f"--datadir={datadir}"],
        env=env,
        start_new_session=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/timetagger/status", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("TimeTagger did not start")


def timetagger_token(port: int) -> str:
    body = base64.b64encode(json.dumps({"method": "localhost"}).encode())
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/timetagger/api/v2/bootstrap_authentication", data=body, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["token"]


def scripts_write(directory: Path, teeckin_token: str, timetagger_token: str) -> dict[str, dict[str, Path]]:
    """wrk scripts per operation and server. TimeTagger's writes make fresh record keys in Lua."""
    now = int(time.time())
    ours = f'wrk.headers["Authorization"] = "Bearer {teeckin_token}"\n'
    post = 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
    theirs = f'wrk.headers["authtoken"] = "{timetagger_token}"\n'
    put = 'wrk.method = "PUT"\nwrk.headers["Content-Type"] = "application/json"\n'
    keygen = (
        "local n = 0\n"
        "local function key()\n"
        "  n = n + 1\n"
        "  return string.format('k%d%d%d', math.random(1e9), os.time(), n)\n"
        "end\n"
    )
    texts = {
        "read": {
            "teeckin": ours,
            "timetagger": theirs
            + f'wrk.path = "/timetagger/api/v2/records?timerange={now - 3600}-{now + 86400}"\n',
        },
        "start": {
            "teeckin": ours + post + 'wrk.body = \'{"topic": "Research"}\'\n',
            "timetagger": theirs + put + keygen + "local running = nil\n"
            "request = function()\n"
            "  local t = os.time()\n"
            "  local records = {}\n"
            "  if running then table.insert(records, string.format("
            '\'{"key":"%s","mt":%d,"t1":%d,"t2":%d,"ds":"#research"}\', running[1], t, running[2], t)) end\n'
            "  running = {key(), t}\n"
            "  table.insert(records, string.format("
            '\'{"key":"%s","mt":%d,"t1":%d,"t2":%d,"ds":"#research"}\', running[1], t, t, t))\n'
            "  return wrk.format(nil, nil, nil, '[' .. table.concat(records, ',') .. ']')\n"
            "end\n",
        },
        "log": {
            "teeckin": ours
            + post
            + 'wrk.body = \'{"topic": "Research", "duration_minutes": 30, "notes": "x"}\'\n',
            "timetagger": theirs + put + keygen + "request = function()\n"
            "  local t = os.time()\n"
            "  return wrk.format(nil, nil, nil, string.format("
            '\'[{"key":"%s","mt":%d,"t1":%d,"t2":%d,"ds":"#research x"}]\', key(), t, t - 1800, t))\n'
            "end\n",
        },
    }
    paths: dict[str, dict[str, Path]] = {}
    for operation, by_server in texts.items():
        for server, text in by_server.items():
            path = directory / f"{operation}-{server}.lua"
            path.write_text(text)
            paths.setdefault(operation, {})[server] = path
    return paths


PATHS = {
    "read": {"teeckin": "/api/agent/timer", "timetagger": "/timetagger/api/v2/records"},
    "start": {"teeckin": "/api/agent/timer/start", "timetagger": "/timetagger/api/v2/records"},
    "log": {"teeckin": "/api/agent/time", "timetagger": "/timetagger/api/v2/records"},
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments_add(parser)
    args = parser.parse_args()

    python = timetagger_install()
    database_ensure(args.database_url)
    env = server_env(args.database_url, args.redis_url)
    form = fixtures_make(env)
    servers: dict[str, subprocess.Popen] = {}
    results: dict[str, dict[str, list[tuple[float, float, float]]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        try:
            ports = {"teeckin": free_port(), "timetagger": free_port()}
            servers["teeckin"] = server_start(args.server, args.workers, ports["teeckin"], env)
            servers["timetagger"] = timetagger_start(
                python, ports["timetagger"], directory / "timetagger-data"
            )
            scripts = scripts_write(
                directory, token_fetch(ports["teeckin"], form), timetagger_token(ports["timetagger"])
            )
            # Each operation's warm-up and rounds together, reads first: TimeTagger's read returns every
            # record in its time range, so it must run before the writes of the other operations fill it.
            for operation in PATHS:
                for server in ("teeckin", "timetagger"):  # warm-up
                    url = f"http://127.0.0.1:{ports[server]}{PATHS[operation][server]}"
                    wrk_run(url, scripts[operation][server], args.connections, 1)
                for round_number in range(args.rounds):
                    order = ["teeckin", "timetagger"] if round_number % 2 == 0 else ["timetagger", "teeckin"]
                    for server in order:
                        url = f"http://127.0.0.1:{ports[server]}{PATHS[operation][server]}"
                        cpu_before = server_cpu_seconds(servers[server])
                        started = time.monotonic()
                        rate, p99, errors = wrk_run(
                            url, scripts[operation][server], args.connections, args.seconds
                        )
                        requests = rate * (time.monotonic() - started)
                        cpu_ms = (server_cpu_seconds(servers[server]) - cpu_before) * 1000 / max(requests, 1)
                        if errors:
                            print(f"warning: {errors} error answers from {server} on {operation}")
                        results.setdefault(operation, {}).setdefault(server, []).append((rate, p99, cpu_ms))
        finally:
            for process in servers.values():
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)

    print(
        f"\nTeeckin: gunicorn {args.server}, {args.workers} workers, PostgreSQL + Redis; TimeTagger: one "
        f"uvicorn process, SQLite. wrk {args.connections} connections, {args.seconds} s x {args.rounds} "
        "rounds (medians)\n"
    )
    print(
        "| operation | Teeckin req/s | TimeTagger req/s | ratio | p99 Teeckin | p99 TimeTagger "
        "| CPU ms/req Teeckin | CPU ms/req TimeTagger |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for operation, by_server in results.items():
        ours = [statistics.median(values) for values in zip(*by_server["teeckin"], strict=True)]
        theirs = [statistics.median(values) for values in zip(*by_server["timetagger"], strict=True)]
        print(
            f"| {operation} | {ours[0]:.0f} | {theirs[0]:.0f} | {ours[0] / theirs[0]:.2f}x | "
            f"{ours[1]:.1f} ms | {theirs[1]:.1f} ms | {ours[2]:.2f} | {theirs[2]:.2f} |"
        )


if __name__ == "__main__":
    main()
