"""Time the reports page and GET /api/v1/reports/summary's aggregate over many entries.

    .venv/bin/python benchmarks/reports.py                  # throwaway SQLite, 100,000 entries
    DATABASE_URL=postgres://…/scratch .venv/bin/python benchmarks/reports.py --configured-db

Builds one organization with ``--entries`` finished entries over the last year (20 members, 12 agents,
60 topics in 8 categories, one or two of 30 tags on most entries), then times, ``--runs`` times each:
the aggregate query alone for every grouping over the whole year, and the whole reports page (sign-in
session, form, aggregate, template) for an owner over the same year. Prints the median and the slowest
run in milliseconds. With --configured-db the organization is deleted again at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--configured-db", action="store_true", help="use DATABASE_URL instead of a throwaway SQLite file"
    )
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory()
    if not args.configured_db:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/benchmark.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["RATELIMIT_ENABLE"] = "0"

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from apps.clocked_times.models import ClockedTime
    from apps.clocked_times.reports import GROUPINGS, report_build, report_entries

    call_command("migrate", verbosity=0)
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    print(f"database: {engine}; building {args.entries:,} entries…", flush=True)
    organization, owner = _build(args.entries)
    if connection.vendor == "postgresql":
        # Fresh planner statistics, as autovacuum would gather soon after a bulk load; without them the
        # planner takes the new rows for a handful and picks nested loops.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    try:
        now = timezone.now()
        today = timezone.localdate(now)
        start, end = today - timedelta(days=365), today
        tz = timezone.get_current_timezone()
        entries = report_entries(organization_id=organization.pk)
        for group_by in GROUPINGS:
            timings = _time(
                args.runs,
                lambda g=group_by: report_build(entries, group_by=g, start=start, end=end, tz=tz, now=now),
            )
            rows = len(report_build(entries, group_by=group_by, start=start, end=end, tz=tz, now=now).rows)
            _print(f"aggregate by {group_by:<8} ({rows} rows)", timings)
        client = Client()
        client.force_login(owner)
        url = f"/reports/?start={start.isoformat()}&end={end.isoformat()}&group_by=topic"
        assert client.get(url).status_code == 200
        _print("reports page, one year, by topic", _time(args.runs, lambda: client.get(url)))
        day_url = url.replace("group_by=topic", "group_by=day")
        _print("reports page, one year, by day", _time(args.runs, lambda: client.get(day_url)))
    finally:
        if args.configured_db:
            # Bottom up: topics protect their entries, categories their topics.
            ClockedTime.objects.filter(organization=organization).delete()
            organization.topics.all().delete()
            organization.categories.all().delete()
            organization.delete()
            get_user_model().objects.filter(
                username__startswith=f"bench-{organization.name.split()[-1]}-"
            ).delete()
    workdir.cleanup()


def _build(count: int):  # type: ignore[no-untyped-def]
    import random

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from apps.agents.services import agent_create
    from apps.clocked_times.models import ClockedTime
    from apps.organizations.models import Membership, Organization
    from apps.tags.models import Tag
    from apps.topics.models import Category, Topic

    rng = random.Random(13)
    suffix = f"{time.time_ns()}"
    organization = Organization.objects.create(name=f"Benchmark {suffix}")
    users = []
    for i in range(20):
        user = get_user_model().objects.create_user(username=f"bench-{suffix}-{i}", password="x")
        Membership.objects.create(user=user, organization=organization, role="owner" if i == 0 else "member")
        users.append(user)
    agents = [agent_create(user=users[i % 20], name=f"Agent {i}")[0] for i in range(12)]
    categories = [Category.objects.create(organization=organization, name=f"Category {i}") for i in range(8)]
    topics = Topic.objects.bulk_create(
        Topic(organization=organization, category=categories[i % 8], name=f"Topic {i}") for i in range(60)
    )
    tags = Tag.objects.bulk_create(Tag(organization=organization, name=f"tag-{i}") for i in range(30))
    now = timezone.now()
    step = timedelta(days=365) / count
    batch = []
    for i in range(count):
        start = now - timedelta(days=365) + step * i
        batch.append(
            ClockedTime(
                organization=organization,
                user=rng.choice(users),
                topic=rng.choice(topics),
                agent=rng.choice(agents) if rng.random() < 0.8 else None,
                start_time=start,
                end_time=start + timedelta(minutes=rng.randint(5, 240)),
                type="manual",
                notes="benchmark",
            )
        )
    created = []
    for offset in range(0, count, 5000):
        created += ClockedTime.objects.bulk_create(batch[offset : offset + 5000])
    through = ClockedTime.tags.through
    links = []
    for entry in created:
        for tag in rng.sample(tags, rng.choice([0, 1, 1, 2])):
            links.append(through(clockedtime_id=entry.pk, tag_id=tag.pk))
    through.objects.bulk_create(links, batch_size=5000)
    return organization, users[0]


def _time(runs: int, call) -> list[float]:  # type: ignore[no-untyped-def]
    call()  # warm: connection, caches
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _print(label: str, timings: list[float]) -> None:
    print(
        f"{label:<40} median {statistics.median(timings):7.1f} ms   slowest {max(timings):7.1f} ms",
        flush=True,
    )


if __name__ == "__main__":
    main()
