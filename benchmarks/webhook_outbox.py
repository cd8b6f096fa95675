"""Cost of the webhook outbox on the services: timer starts with 0, 1 and 5 subscribed endpoints.

    .venv/bin/python benchmarks/webhook_outbox.py                 # throwaway SQLite
    .venv/bin/python benchmarks/webhook_outbox.py --configured-db # DATABASE_URL as configured (a scratch db!)

Each timer start stops the running timer, so it writes two events (time_entry.stopped, .started) and one
delivery per endpoint for each. Enqueueing is stubbed out: this measures what the outbox adds to the
request's transaction, not the broker round trip (which happens after commit, and whose failure is
only logged). Prints the median and 95th percentile of one ``timer_start`` in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=300)
    parser.add_argument("--configured-db", action="store_true")
    args = parser.parse_args()
    if not args.configured_db:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from apps.organizations.models import Membership, Organization
    from apps.timer.services import timer_start
    from apps.topics.models import Category, Topic
    from apps.webhooks import services

    call_command("migrate", verbosity=0)
    services.delivery_enqueue = lambda *, delivery_id, eta=None: True
    organization = Organization.objects.create(name=f"Bench {time.time_ns()}")
    user = get_user_model().objects.create_user(username=f"bench-{time.time_ns()}")
    Membership.objects.create(user=user, organization=organization)
    category = Category.objects.create(organization=organization, name="Bench")
    topic = Topic.objects.create(organization=organization, category=category, name="Bench")

    for endpoints in (0, 1, 5):
        while organization.webhook_endpoints.count() < endpoints:
            services.endpoint_create(
                organization=organization, url="http://127.0.0.1:9/hook", events=services.EVENT_NAMES
            )
        timings = []
        for _ in range(args.starts):
            started = time.perf_counter()
            timer_start(user=user, organization=organization, topic=topic)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        print(
            f"{endpoints} endpoints: timer_start median {statistics.median(timings):.2f} ms, "
            f"p95 {timings[int(len(timings) * 0.95)]:.2f} ms ({args.starts} starts, "
            f"{django.db.connection.vendor})"
        )


if __name__ == "__main__":
    main()
