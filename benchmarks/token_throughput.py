"""Tokens issued per second by POST /api/oauth/token, through Django's full request stack.

    python benchmarks/token_throughput.py                     # SQLite in a temporary directory
    python benchmarks/token_throughput.py --database-url postgres://postgres@127.0.0.1:5432/scratch \\
        --threads 4 --seconds 10

The database named by --database-url is migrated and gets a benchmark organization, user and agent: use a
scratch database. Each request goes through the real URL, view, DOT/oauthlib and our validator (client
lookup, secret comparison, token + origin inserts, last-used updates). The script also prints the queries
per token and what the secret hashing costs, to show where the time goes: in the database, not in
hashing (one SHA-256 of a secret takes about a microsecond; Django's default PBKDF2, which DOT would use
for client secrets, is also timed for comparison).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789abcdef0123456789abcdef")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    # Measure the endpoint, not its brute-force limit (10 attempts a minute per client id by default).
    os.environ.setdefault("RATELIMIT_ENABLE", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_credentials() -> dict[str, str]:
    from django.contrib.auth import get_user_model

    from apps.agents.services import agent_create
    from apps.organizations.models import Membership, Organization

    organization, _ = Organization.objects.get_or_create(name="Benchmark organization")
    user, _ = get_user_model().objects.get_or_create(username="token-benchmark")
    Membership.objects.get_or_create(user=user, defaults={"organization": organization})
    agent, issued = agent_create(user=user, name="Token benchmark")
    return {
        "grant_type": "client_credentials",
        "client_id": agent.client_id,
        "client_secret": issued.plaintext,
    }


def issue_loop(form: dict[str, str], deadline: float, counts: list[int], errors: list[str]) -> None:
    from django.db import connection
    from django.test import Client

    client = Client()
    issued = 0
    try:
        while time.perf_counter() < deadline:
            response = client.post("/api/oauth/token", form)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.content[:200]!r}")
                return
            issued += 1
    finally:
        counts.append(issued)
        connection.close()


def queries_per_token(form: dict[str, str]) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.post("/api/oauth/token", form)  # warm up
    with CaptureQueriesContext(connection) as captured:
        assert client.post("/api/oauth/token", form).status_code == 200
    return len(captured.captured_queries)


def hashing_costs(secret: str) -> tuple[float, float]:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

    from apps.agents.credentials import credential_digest, digests_match

    digest = credential_digest(secret)
    rounds = 100_000
    start = time.perf_counter()
    for _ in range(rounds):
        digests_match(secret, digest)
    sha_seconds = (time.perf_counter() - start) / rounds
    encoded = make_password(secret, hasher=PBKDF2PasswordHasher())
    start = time.perf_counter()
    check_password(secret, encoded)
    return sha_seconds, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="a scratch database (default: SQLite in a temporary dir)")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=1, help="concurrent clients (own DB connection each)")
    parser.add_argument(
        "--no-sync-commit",
        action="store_true",
        help="PostgreSQL only: SET synchronous_commit = off, to see how much of a token is the WAL flush",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        database_url = args.database_url or f"sqlite:///{scratch}/token-benchmark.sqlite3"
        setup_django(database_url)
        if args.no_sync_commit:
            from django.db.backends.signals import connection_created

            def no_sync_commit(sender: object, connection: object, **kwargs: object) -> None:
                with connection.cursor() as cursor:  # type: ignore[attr-defined]
                    cursor.execute("SET synchronous_commit = off")

            connection_created.connect(no_sync_commit, weak=False)
        form = make_credentials()
        queries = queries_per_token(form)

        counts: list[int] = []
        errors: list[str] = []
        deadline = time.perf_counter() + args.seconds
        threads = [
            threading.Thread(target=issue_loop, args=(form, deadline, counts, errors))
            for _ in range(args.threads)
        ]
        started, cpu_started = time.perf_counter(), time.process_time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        cpu_share = (time.process_time() - cpu_started) / elapsed
        if errors:
            sys.exit(f"token endpoint failed: {errors[0]}")

        from django.db import connection

        sha_seconds, pbkdf2_seconds = hashing_costs(form["client_secret"])
        total = sum(counts)
        per_second = total / elapsed
        print(f"database: {connection.vendor}   threads: {args.threads}   duration: {elapsed:.1f} s")
        print(f"tokens issued: {total}   throughput: {per_second:.0f} tokens/s")
        print(f"queries per token request: {queries}")
        # Python runs on one core at most (the GIL): well under 100% means the clients wait on the database.
        print(f"benchmark process CPU: {cpu_share:.0%} of one core")
        print(
            f"secret check: SHA-256 {sha_seconds * 1e6:.1f} µs "
            f"({sha_seconds * per_second * 100:.3f}% of the time per token); "
            f"PBKDF2 (DOT's default) would be {pbkdf2_seconds * 1000:.0f} ms, "
            f"capping one core at {1 / pbkdf2_seconds:.1f} tokens/s"
        )


if __name__ == "__main__":
    main()
