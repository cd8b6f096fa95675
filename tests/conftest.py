"""The shared cast: an owner and a teammate in Acme, an outsider in Globex, and their topics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections

from apps.clocked_times.models import ClockedTime
from apps.organizations.models import Membership, Organization
from apps.tags.models import Tag
from apps.topics.models import Category, Topic
from apps.webhooks.publisher import publisher_reset

# A page's inline <script> (one without src): the pages keep scripts in files, for the CSP, and work with
# plain form posts.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)")

# Authenticated API clients (one agent per cast member) live in their own module.
pytest_plugins = [
    "tests.fixtures.auth",
    "tests.fixtures.ratelimits",
    "tests.fixtures.asgi_server",
    "tests.fixtures.deps",
]


def pytest_report_header(config: pytest.Config) -> list[str]:
    db = settings.DATABASES["default"]
    engine = db["ENGINE"].rsplit(".", 1)[-1]
    where = (
        f"{db.get('HOST') or 'local'}:{db.get('PORT') or ''}/{db.get('NAME')}"
        if engine != "sqlite3"
        else "file"
    )
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    return [
        f"teeckin: database backend {engine} ({where}); cache {cache}; broker {settings.CELERY_BROKER_URL.split('://')[0]}"
    ]


requires_postgres = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] not in ("django.db.backends.postgresql", "apps.core.postgresql"),
    reason="needs PostgreSQL row locks and concurrent transactions (CI runs these on PostgreSQL)",
)


def make_user(username: str, organization: Organization | None, role: str = Membership.Role.MEMBER) -> Any:
    user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    if organization is not None:
        Membership.objects.create(user=user, organization=organization, role=role)
    return user


def make_topic(organization: Organization, name: str, category: str = "Client Work", **kwargs: Any) -> Topic:
    cat, _ = Category.objects.get_or_create(organization=organization, name=category)
    return Topic.objects.create(organization=organization, category=cat, name=name, **kwargs)


def make_entry(user: Any, topic: Topic, start: datetime, minutes: int = 30, **kwargs: Any) -> ClockedTime:
    """A finished manual entry written directly (no service, no event): data for reads to find."""
    return ClockedTime.objects.create(
        organization=topic.organization,
        user=user,
        topic=topic,
        start_time=start,
        end_time=start + timedelta(minutes=minutes),
        type=ClockedTime.Type.MANUAL,
        **kwargs,
    )


def make_hourly_entries(user: Any, topic: Topic, start: datetime, count: int, minutes: int = 30) -> None:
    """``count`` finished entries an hour apart from ``start``, in one INSERT (pagination tests)."""
    ClockedTime.objects.bulk_create(
        ClockedTime(
            organization=topic.organization,
            user=user,
            topic=topic,
            start_time=start + timedelta(hours=i),
            end_time=start + timedelta(hours=i, minutes=minutes),
            type=ClockedTime.Type.MANUAL,
        )
        for i in range(count)
    )


@pytest.fixture
def org(db: None) -> Organization:
    return Organization.objects.create(name="Acme", guidance="Use Project Alpha for client deliverables.")


@pytest.fixture
def other_org(db: None) -> Organization:
    return Organization.objects.create(name="Globex")


@pytest.fixture
def owner(org: Organization) -> Any:
    return make_user("olivia", org, Membership.Role.OWNER)


@pytest.fixture
def teammate(org: Organization) -> Any:
    return make_user("tom", org, Membership.Role.MEMBER)


@pytest.fixture
def outsider(other_org: Organization) -> Any:
    return make_user("oscar", other_org, Membership.Role.OWNER)


@pytest.fixture
def topic(org: Organization) -> Topic:
    return make_topic(org, "Project Alpha", "Client Work")


@pytest.fixture
def research(org: Organization) -> Topic:
    return make_topic(org, "Research", "Internal")


@pytest.fixture
def outsider_topic(other_org: Organization) -> Topic:
    return make_topic(other_org, "Globex Secret Project", "Client Work")


@pytest.fixture
def tags(org: Organization) -> list[Tag]:
    return [Tag.objects.create(organization=org, name=name) for name in ("bug-fix", "feature")]


@pytest.fixture
def no_overlaps(org: Organization) -> Organization:
    org.allow_overlaps = False
    org.save(update_fields=["allow_overlaps"])
    return org


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _fresh_webhook_publisher() -> None:
    # A test that froze or killed the broker must not leave the next test's publishes dropped.
    publisher_reset()


def wait_for_lock_waiters(count: int = 1, timeout: float = 10.0) -> None:
    """Block until ``count`` other PostgreSQL sessions of this database wait on a lock.

    Concurrency tests hold a lock in the test's transaction, start requests in threads and call this
    before they let go: the race then happens in the order the test means, every run.
    """
    import time

    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            # Statistics are a snapshot per transaction: clear it to see the sessions' current state.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] >= count:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"fewer than {count} sessions came to wait on the lock")
            time.sleep(0.02)


@pytest.fixture(scope="session", autouse=True)
def _database_pools_closed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Close PostgreSQL connection pools before the test database is dropped: a pooled connection left
    open (a live server's requests return theirs to the pool) would keep the database "in use"."""
    yield
    with django_db_blocker.unblock():
        for each in connections.all():
            if getattr(each, "pool", None) is not None:
                each.close_pool()


def midweek_noon() -> datetime:
    """The latest Wednesday 12:00 UTC before now. Tests about "today" and "this week" travel there, so an
    entry made "two hours ago" never lands on another day or in last week, whatever hour the suite runs."""
    now = datetime.now(UTC)
    noon = (now - timedelta(days=(now.weekday() - 2) % 7)).replace(hour=12, minute=0, second=0, microsecond=0)
    return noon if noon <= now else noon - timedelta(days=7)


@pytest.fixture
def midweek(time_machine: Any) -> datetime:
    """The clock moved to ``midweek_noon()`` and left running (every thread of the process sees it)."""
    destination = midweek_noon()
    time_machine.move_to(destination, tick=True)
    return destination
