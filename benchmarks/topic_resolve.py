"""Time warm fuzzy topic lookups against an organization with many topics.

    .venv/bin/python benchmarks/topic_resolve.py                 # throwaway SQLite, 10,000 topics
    .venv/bin/python benchmarks/topic_resolve.py --configured-db # DATABASE_URL / REDIS_URL as configured

Builds one organization with ``--topics`` topics in 40 categories, resolves once to warm the
per-process choices, then times ``--lookups`` lookups of mixed kinds (exact, case, typo, word order,
partial, category-qualified, id, nonsense) and prints the median and 95th percentile in milliseconds.
Each timing is a whole ``topic_resolve`` call: the one query reading the organization's catalog version,
the matching, and building the chosen topic from the prepared row (or the NotFound/Conflict raised).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Vocabulary for made-up topic names; shared words make the matching work as hard as real catalogues do.
_VOCABULARY = """
alpha beta gamma delta atlas orion apollo nova zenith vertex harbor summit falcon cedar maple onboarding
billing invoicing payments checkout search ranking recommendations analytics reporting dashboard migration
upgrade refactor audit security compliance backups monitoring alerting logging pipeline ingestion warehouse
mobile android ios website landing docs support training hiring roadmap research prototype api gateway auth
identity sso notifications email scheduler
"""
_CLIENT_NAMES = "acme globex initech umbrella stark wayne wonka hooli soylent tyrell cyberdyne massive"
WORDS = _VOCABULARY.split()
CLIENTS = _CLIENT_NAMES.split()


def _names(count: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        words = rng.sample(WORDS, rng.randint(1, 3))
        if rng.random() < 0.5:
            words.insert(0, rng.choice(CLIENTS))
        names.add(" ".join(w.capitalize() for w in words) + f" {rng.randint(1, 99)}")
    return sorted(names)


def _typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _queries(topics: list[tuple[str, str, str]], count: int, rng: random.Random) -> list[tuple[str, str]]:
    kinds = {
        "exact": lambda t: t[1],
        "case": lambda t: t[1].upper(),
        "typo": lambda t: _typo(t[1], rng),
        "word order": lambda t: " ".join(reversed(t[1].split())),
        "partial": lambda t: max(t[1].split(), key=len),
        "category-qualified": lambda t: f"{t[2]} / {t[1]}",
        "id": lambda t: t[0],
        "nonsense": lambda t: "".join(rng.choice("qxzjvkw") for _ in range(9)),
    }
    kind_names = list(kinds)
    out = []
    for n in range(count):
        kind = kind_names[n % len(kind_names)]
        out.append((kind, kinds[kind](rng.choice(topics))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--configured-db", action="store_true", help="use DATABASE_URL instead of a throwaway SQLite file"
    )
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory()
    if not args.configured_db:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/benchmark.sqlite3"
    # The test settings supply a SECRET_KEY and nothing that changes matching.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from apps.core.errors import DomainError
    from apps.organizations.models import Organization
    from apps.topics.matching import topic_resolve
    from apps.topics.models import Category, Topic

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    organization = Organization.objects.create(name=f"benchmark {rng.getrandbits(32):08x}")
    try:
        categories = Category.objects.bulk_create(
            Category(organization=organization, name=f"{rng.choice(CLIENTS).capitalize()} Area {n}")
            for n in range(40)
        )
        Topic.objects.bulk_create(
            (
                Topic(organization=organization, category=rng.choice(categories), name=name)
                for name in _names(args.topics, rng)
            ),
            batch_size=1000,
        )
        topics = list(
            Topic.objects.filter(organization=organization).values_list("id", "name", "category__name")
        )

        started = time.perf_counter()
        with contextlib.suppress(DomainError):
            topic_resolve(organization=organization, query=topics[0][1])
        cold_ms = (time.perf_counter() - started) * 1000

        # Wall-clock and this process's CPU time (which other load on the machine does not inflate).
        timings: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        outcomes: dict[str, int] = {"resolved": 0}
        for kind, query in _queries(topics, args.lookups, rng):
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                topic_resolve(organization=organization, query=query)
                outcome = "resolved"
            except DomainError as error:
                outcome = error.code
            timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
            cpu.setdefault(kind, []).append((time.process_time() - started_cpu) * 1000)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    finally:
        Topic.objects.filter(organization=organization).delete()
        organization.delete()
        workdir.cleanup()

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1]

    def line(label: str, wall: list[float], used: list[float]) -> str:
        return (
            f"  {label:20} wall median {statistics.median(wall):6.2f} p95 {p95(wall):6.2f}"
            f"   CPU median {statistics.median(used):6.2f} p95 {p95(used):6.2f}   (ms)"
        )

    all_wall = [t for values in timings.values() for t in values]
    all_cpu = [t for values in cpu.values() for t in values]
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"{len(topics)} topics, {len(all_wall)} warm lookups ({db}, {cache}); cold build {cold_ms:.1f} ms")
    for kind, values in timings.items():
        print(line(kind, values, cpu[kind]))
    print(line("all", all_wall, all_cpu))
    print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))


if __name__ == "__main__":
    main()
