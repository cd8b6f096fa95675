"""Hot endpoints over HTTP against bare Django views doing the same SQL, side by side in one run.

    python benchmarks/http_vs_bare.py                       # gunicorn sync workers, PostgreSQL + Redis
    python benchmarks/http_vs_bare.py --server uvicorn      # gunicorn with uvicorn workers (ASGI)
    python benchmarks/http_vs_bare.py --soak 600            # also: worker memory over a 10-minute soak
    python benchmarks/http_vs_bare.py --before main         # also: the same endpoints served by another
                                                            # commit (an optimisation's before and after)

It serves the product under gunicorn (2 workers by default) with a benchmark-only URLconf that adds the
bare views of ``benchmarks/bare/views.py`` (raw psycopg cursors: the token read, then the endpoint's
essential statements), drives both with wrk (Debian package ``wrk``), alternating which goes first in each
round, and prints medians of requests per second, the ratio, and p99 latency. Rate limits are off: the
benchmark measures the endpoints, not their limits. The database named by --database-url is created if
missing and migrated: use a scratch database.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START_BODY = '{"topic": "Research"}'
STOP_BODY = "{}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="benchmarks.bare.settings",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECRET_KEY="benchmark-only-secret-key-0123456789abcdef0123456789abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        API_REQUIRE_HTTPS="0",
        RATELIMIT_ENABLE="0",
        LOG_LEVEL="ERROR",
        PYTHONPATH=str(ROOT),
    )
    return env


def database_ensure(database_url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


# The fixtures, as a script a subprocess runs in another commit's tree (the "before" server has its own
# database, migrated by its own code: the schema may differ). It uses only long-standing names.
FIXTURES_SCRIPT = """
import json, time
import django
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from apps.agents.services import agent_create
from apps.organizations.models import Membership, Organization
from apps.topics.models import Category, Topic
call_command("migrate", verbosity=0)
organization, _ = Organization.objects.get_or_create(name="HTTP benchmark")
user, _ = get_user_model().objects.get_or_create(username="http-benchmark")
Membership.objects.get_or_create(user=user, defaults={"organization": organization})
category, _ = Category.objects.get_or_create(organization=organization, name="Internal")
Topic.objects.get_or_create(organization=organization, name="Research", defaults={"category": category})
agent, issued = agent_create(user=user, name=f"HTTP benchmark {time.time():.0f}")
print(json.dumps({"grant_type": "client_credentials", "client_id": agent.client_id,
                  "client_secret": issued.plaintext}))
"""


def fixtures_make_in(tree: Path, env: dict[str, str]) -> dict[str, str]:
    import json

    done = subprocess.run(
        [sys.executable, "-c", FIXTURES_SCRIPT], cwd=tree, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def fixtures_make(env: dict[str, str]) -> dict[str, str]:
    """Migrate, then create an organization, its owner, an agent with a secret and the topic the timer
    endpoints start. Runs in this process with the server's settings."""
    os.environ.update(env)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from apps.agents.services import agent_create
    from apps.organizations.models import Membership, Organization
    from apps.topics.models import Category, Topic

    call_command("migrate", verbosity=0)
    organization, _ = Organization.objects.get_or_create(name="HTTP benchmark")
    user, _ = get_user_model().objects.get_or_create(username="http-benchmark")
    Membership.objects.get_or_create(user=user, defaults={"organization": organization})
    category, _ = Category.objects.get_or_create(organization=organization, name="Internal")
    Topic.objects.get_or_create(organization=organization, name="Research", defaults={"category": category})
    agent, issued = agent_create(user=user, name=f"HTTP benchmark {time.time():.0f}")
    return {
        "grant_type": "client_credentials",
        "client_id": agent.client_id,
        "client_secret": issued.plaintext,
    }


def people_make(count: int) -> list[dict[str, str]]:
    """``count`` more people of the benchmark's organization, each with an agent: the credentials of the
    many-people runs (one person's starts queue on that person's lock; a company's agents do not)."""
    from django.contrib.auth import get_user_model

    from apps.agents.services import agent_create
    from apps.organizations.models import Membership, Organization

    organization = Organization.objects.get(name="HTTP benchmark")
    forms = []
    for number in range(count):
        user, _ = get_user_model().objects.get_or_create(username=f"http-benchmark-{number}")
        Membership.objects.get_or_create(user=user, defaults={"organization": organization})
        agent, issued = agent_create(user=user, name=f"HTTP benchmark {number} {time.time():.0f}")
        client_id, secret = agent.client_id, issued.plaintext
        forms.append({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret})
    return forms


def queries_per_request(form: dict[str, str]) -> dict[str, int]:
    """The product's queries per request, counted in-process through the full Django stack."""

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    token = client.post("/api/oauth/token", form).json()["access_token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    calls = {
        "token": lambda: client.post("/api/oauth/token", form),
        "status": lambda: client.get("/api/agent/timer", **auth),
        "start": lambda: client.post(
            "/api/agent/timer/start", START_BODY, content_type="application/json", **auth
        ),
        "stop": lambda: client.post(
            "/api/agent/timer/stop", STOP_BODY, content_type="application/json", **auth
        ),
    }
    counts = {}
    for name, call in calls.items():
        if name == "stop":
            calls["start"]()
        call()
        if name == "stop":
            calls["start"]()
        with CaptureQueriesContext(connection) as captured:
            call()
        counts[name] = len([q for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")])
    connection.close()
    return counts


def config_package(tree: Path) -> str:
    """The Django configuration package of a source tree (it was renamed once, from teeckin to config)."""
    return "config" if (tree / "config" / "settings").is_dir() else "teeckin"


def server_start(
    kind: str, workers: int, port: int, env: dict[str, str], tree: Path = ROOT
) -> subprocess.Popen:
    package = config_package(tree)
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    if kind == "uvicorn":
        command += ["--worker-class", "uvicorn_worker.UvicornWorker", f"{package}.asgi:application"]
    elif kind == "gthread":
        command += ["--worker-class", "gthread", "--threads", "4", f"{package}.wsgi:application"]
    else:
        command += [f"{package}.wsgi:application"]
    process = subprocess.Popen(command, cwd=tree, env=env, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/agent/me", timeout=1)
        except urllib.error.HTTPError:
            return process  # 401: the server answers
        except OSError:
            time.sleep(0.2)
    process.kill()
    sys.exit("the server did not start")


def token_fetch(port: int, form: dict[str, str]) -> str:
    import json

    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(
        f"http://127.0.0.1:{port}/api/oauth/token", data=data, timeout=10
    ) as response:
        return json.load(response)["access_token"]


def lua_script(
    directory: Path, name: str, token: str, form: dict[str, str], alternate: tuple[str, str] | None
) -> Path:
    """A wrk script: the request's method, headers and body (or alternating start / stop paths)."""
    path = directory / f"{name}.lua"
    if name.startswith("token"):
        body = urllib.parse.urlencode(form)
        text = (
            'wrk.method = "POST"\n'
            f'wrk.body = "{body}"\n'
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        )
    else:
        text = f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        if not name.startswith("status"):
            text += 'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            text += f"wrk.body = '{START_BODY}'\n"
        if alternate:
            start, stop = alternate
            text += (
                "local n = 0\n"
                "request = function()\n"
                "  n = n + 1\n"
                f"  if n % 2 == 1 then return wrk.format('POST', '{start}', nil, '{START_BODY}') end\n"
                f"  return wrk.format('POST', '{stop}', nil, '{STOP_BODY}')\n"
                "end\n"
            )
    path.write_text(text)
    return path


def lua_script_people(directory: Path, name: str, tokens: list[str], paths: tuple[str, str] | None) -> Path:
    """A wrk script that sends each request as the next of many people: a start then a stop per person
    when ``paths`` (start, stop) are given, else a GET of the URL's path."""
    path = directory / f"{name}.lua"
    listed = ", ".join(f'"{token}"' for token in tokens)
    if paths is None:
        send = "return wrk.format('GET', nil, headers)"
    else:
        start, stop = paths
        send = (
            f"if n % 2 == 1 then return wrk.format('POST', '{start}', headers, '{START_BODY}') end\n"
            f"  return wrk.format('POST', '{stop}', headers, '{STOP_BODY}')"
        )
    path.write_text(
        f"local tokens = {{{listed}}}\n"
        "local n = 0\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local token = tokens[(math.floor((n - 1) / 2) % #tokens) + 1]\n"
        '  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}\n'
        f"  {send}\n"
        "end\n"
    )
    return path


def wrk_run(url: str, script: Path, connections: int, seconds: float) -> tuple[float, float, int]:
    """Requests per second, p99 in milliseconds, and how many answers were not 2xx or 3xx (wrk's count:
    in the start-and-stop stream of one person, a stop meets 404 whenever another connection stopped
    the timer first; elsewhere any is a failure)."""
    output = subprocess.run(
        [
            "wrk",
            "-t",
            str(min(connections, 2)),
            "-c",
            str(connections),
            "-d",
            f"{max(int(seconds), 1)}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99_match = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    value, unit = float(p99_match.group(1)), p99_match.group(2)
    p99 = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return rate, p99, int(errors.group(1)) if errors else 0


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) the server's processes have used so far. Per request, it is the cost that
    decides throughput on a busy machine, and is far steadier than requests per second when other work
    shares the cores."""
    pids = [
        str(server.pid),
        *subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split(),
    ]
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return ticks / os.sysconf("SC_CLK_TCK")


def worker_rss_mib(server: subprocess.Popen) -> list[float]:
    children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
    return sizes


CASES = {
    # name: (product path, bare path, alternate start/stop paths or None)
    "GET /api/agent/timer": ("status", "/api/agent/timer", "/bare/timer", None),
    "POST /api/agent/timer/start": ("start", "/api/agent/timer/start", "/bare/timer/start", None),
    "start + stop, alternating": (
        "startstop",
        "/api/agent/timer/start",
        "/bare/timer/start",
        (("/api/agent/timer/start", "/api/agent/timer/stop"), ("/bare/timer/start", "/bare/timer/stop")),
    ),
    "POST /api/oauth/token": ("token", "/api/oauth/token", "/bare/token", None),
}


def before_tree(ref: str, directory: Path) -> Path:
    tree = directory / "before"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(tree), ref], cwd=ROOT, check=True)
    return tree


def before_env(env: dict[str, str], tree: Path, database_url: str) -> dict[str, str]:
    """Another commit's code, its own settings module and its own database (``<name>_before``)."""
    before_url = database_url.rstrip("/") + "_before"
    database_ensure(before_url)
    return {
        **env,
        "PYTHONPATH": str(tree),
        "DJANGO_SETTINGS_MODULE": f"{config_package(tree)}.settings.base",
        "DATABASE_URL": before_url,
    }


def variants_measure(
    args: argparse.Namespace,
    bases: dict[str, str],
    scripts: dict[str, dict[str, Path]],
    servers: dict[str, subprocess.Popen],
) -> dict[str, dict[str, list[tuple[float, float, int, float]]]]:
    """Each case on each variant, rounds interleaved and the order rotated each round, so drift in the
    machine's load falls on all variants alike."""
    results: dict[str, dict[str, list[tuple[float, float, int, float]]]] = {}
    variants = list(bases)
    for label, (_name, product, bare, _alternate) in CASES.items():
        for variant in variants:  # warm-up
            path = bare if variant == "bare" else product
            wrk_run(bases[variant] + path, scripts[label][variant], args.connections, 1)
    for round_number in range(args.rounds):
        for label, (_name, product, bare, _alternate) in CASES.items():
            shift = round_number % len(variants)
            for variant in variants[shift:] + variants[:shift]:
                path = bare if variant == "bare" else product
                # The bare views run in the product's server: its CPU time is theirs while they run.
                server = servers["teeckin" if variant == "bare" else variant]
                cpu_before = server_cpu_seconds(server)
                rate, p99, errors = wrk_run(
                    bases[variant] + path, scripts[label][variant], args.connections, args.seconds
                )
                cpu_ms = (server_cpu_seconds(server) - cpu_before) * 1000 / max(rate * args.seconds, 1)
                results.setdefault(label, {}).setdefault(variant, []).append((rate, p99, errors, cpu_ms))
    return results


def arguments_add(parser: argparse.ArgumentParser) -> None:
    """The options every HTTP benchmark here takes: where, which server, how hard, how long."""
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/teeckin_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/15")
    parser.add_argument("--server", choices=["sync", "gthread", "uvicorn"], default="sync")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    arguments_add(parser)
    parser.add_argument("--p99-connections", type=int, default=16)
    parser.add_argument("--soak", type=float, default=0, help="seconds of mixed load watching worker memory")
    parser.add_argument(
        "--before", metavar="REF", help="also serve this git commit's code, for a before/after"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    database_ensure(args.database_url)
    env = server_env(args.database_url, args.redis_url)
    form = fixtures_make(env)
    queries = queries_per_request(form)
    servers: dict[str, subprocess.Popen] = {}
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        try:
            ports = {"teeckin": free_port()}
            servers["teeckin"] = server_start(args.server, args.workers, ports["teeckin"], env)
            forms = {"teeckin": form}
            if args.before:
                tree = before_tree(args.before, directory)
                env_before = before_env(env, tree, args.database_url)
                forms["before"] = fixtures_make_in(tree, env_before)
                ports["before"] = free_port()
                servers["before"] = server_start(args.server, args.workers, ports["before"], env_before, tree)
            tokens = {name: token_fetch(ports[name], forms[name]) for name in ports}
            bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
            bases["bare"] = bases["teeckin"]
            scripts: dict[str, dict[str, Path]] = {}
            for label, (name, _product, _bare, alternate) in CASES.items():
                ours, bare_paths = alternate or (None, None)
                scripts[label] = {
                    variant: lua_script(directory, f"{name}-{variant}", tokens[variant], forms[variant], ours)
                    for variant in ports
                }
                # The token case posts the same form to both paths.
                scripts[label]["bare"] = (
                    scripts[label]["teeckin"]
                    if name == "token"
                    else lua_script(directory, f"{name}-bare", tokens["teeckin"], form, bare_paths)
                )
            results = variants_measure(args, bases, scripts, servers)
            p99_high = {}
            for label, (_name, product, _bare, _alternate) in CASES.items():
                if "token" not in label:
                    p99_high[label] = wrk_run(
                        bases["teeckin"] + product,
                        scripts[label]["teeckin"],
                        args.p99_connections,
                        args.seconds,
                    )
            people = people_make(args.p99_connections)
            people_tokens = [token_fetch(ports["teeckin"], person) for person in people]
            p99_people: dict[str, dict[str, tuple[float, float, int]]] = {}
            for label, ours_paths, bare_paths in (
                ("GET /api/agent/timer", None, None),
                (
                    "start + stop, alternating",
                    ("/api/agent/timer/start", "/api/agent/timer/stop"),
                    ("/bare/timer/start", "/bare/timer/stop"),
                ),
            ):
                for variant, paths, url in (
                    ("teeckin", ours_paths, "/api/agent/timer"),
                    ("bare", bare_paths, "/bare/timer"),
                ):
                    name = f"people-{variant}-{len(p99_people)}"
                    script = lua_script_people(directory, name, people_tokens, paths)
                    p99_people.setdefault(label, {})[variant] = wrk_run(
                        bases["teeckin"] + url, script, args.p99_connections, args.seconds
                    )
            memory = worker_rss_mib(servers["teeckin"])
            soak = []
            if args.soak:
                deadline = time.time() + args.soak
                while time.time() < deadline:
                    for label, (_name, product, _bare, _alternate) in CASES.items():
                        wrk_run(bases["teeckin"] + product, scripts[label]["teeckin"], args.connections, 5)
                    soak.append((time.time(), worker_rss_mib(servers["teeckin"])))
        finally:
            for server in servers.values():
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            if args.before:
                subprocess.run(["git", "worktree", "remove", "--force", str(directory / "before")], cwd=ROOT)

    print(
        f"\nserver: gunicorn {args.server}, {args.workers} workers; wrk {args.connections} connections, "
        f"{args.seconds:g} s x {args.rounds} rounds (medians), PostgreSQL + Redis, rate limits off\n"
    )
    header = "| endpoint |" + (f" before ({args.before}) req/s |" if args.before else "")
    print(
        header + " Teeckin req/s | bare req/s | Teeckin / bare | p99 Teeckin | p99 bare | "
        "server CPU per request, Teeckin / bare | non-2xx, Teeckin / bare |"
    )
    print("| --- " * (header.count("|") + 6) + "|")
    for label in CASES:

        def median(variant: str, index: int, label: str = label) -> float:
            return statistics.median(outcome[index] for outcome in results[label][variant])

        ours_rate, bare_rate = median("teeckin", 0), median("bare", 0)
        errors = sum(outcome[2] for outcome in results[label]["teeckin"])
        bare_errors = sum(outcome[2] for outcome in results[label]["bare"])
        before = f" {median('before', 0):.0f} |" if args.before else ""
        print(
            f"| {label} |{before} {ours_rate:.0f} | {bare_rate:.0f} | {ours_rate / bare_rate:.0%} | "
            f"{median('teeckin', 1):.1f} ms | {median('bare', 1):.1f} ms | "
            f"{median('teeckin', 3):.2f} / {median('bare', 3):.2f} ms | {errors} / {bare_errors} |"
        )
    print(
        f"\np99 at {args.p99_connections} connections (Teeckin): "
        + ", ".join(
            f"{label}: {p99:.1f} ms ({rate:.0f} req/s)" for label, (rate, p99, _e) in p99_high.items()
        )
    )
    print(
        f"p99 at {args.p99_connections} connections, each request from the next of "
        f"{args.p99_connections} people (Teeckin / bare): "
        + ", ".join(
            f"{label}: {runs['teeckin'][1]:.1f} / {runs['bare'][1]:.1f} ms "
            f"({runs['teeckin'][0]:.0f} / {runs['bare'][0]:.0f} req/s)"
            for label, runs in p99_people.items()
        )
    )
    print(
        "queries per request (in-process, BEGIN/COMMIT not counted): "
        + ", ".join(f"{k} {v}" for k, v in queries.items())
    )
    print("worker resident memory after the run: " + ", ".join(f"{m:.0f} MiB" for m in memory))
    if soak:
        first, last = soak[0][1], soak[-1][1]
        print(
            f"soak {args.soak:.0f} s: worker memory {', '.join(f'{m:.0f}' for m in first)} MiB -> "
            f"{', '.join(f'{m:.0f}' for m in last)} MiB"
        )


if __name__ == "__main__":
    main()
