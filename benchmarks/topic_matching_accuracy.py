"""Accuracy of topic matching on the labelled evaluation set (tests/topics/evaluation).

    .venv/bin/python benchmarks/topic_matching_accuracy.py             # throwaway SQLite
    .venv/bin/python benchmarks/topic_matching_accuracy.py --misses    # also list every query not right
    .venv/bin/python benchmarks/topic_matching_accuracy.py --configured-db  # DATABASE_URL as configured

Loads each catalog into a fresh organization, asks the matcher every query, and prints per catalog and
per kind of query how many answers were right, wrong guesses, and refusals of resolvable queries
(with how many of those offered the right topic among the candidates). Everything is rolled back.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KINDS = ("resolvable", "archived", "ambiguous", "none")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--misses", action="store_true", help="list each query whose answer is not right")
    parser.add_argument(
        "--configured-db", action="store_true", help="use DATABASE_URL instead of a throwaway SQLite file"
    )
    args = parser.parse_args()

    workdir = tempfile.TemporaryDirectory()
    if not args.configured_db:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/accuracy.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from apps.organizations.models import Organization
    from tests.topics.evaluation import CATALOGS
    from tests.topics.evaluation.runner import Graded, catalog_load, evaluate

    call_command("migrate", verbosity=0)
    everything: list[Graded] = []
    lines: list[str] = []
    with transaction.atomic():
        for catalog in CATALOGS:
            organization = Organization.objects.create(name=f"accuracy {catalog.name}")
            catalog_load(catalog, organization)
            graded = evaluate(catalog, organization)
            everything += graded
            lines.append(_line(catalog.name, graded))
            if args.misses:
                for item in graded:
                    if item.verdict != "right":
                        lines.append(
                            f"    {item.verdict:8} {item.case.kind:10} {item.case.query!r} -> {item.answer}"
                            f" [{item.rule}]" + (" (offered)" if item.offered else "")
                        )
        transaction.set_rollback(True)
    workdir.cleanup()
    print("\n".join(lines))
    print(_line("all", everything))
    for kind in KINDS:
        print(_line(f"  {kind}", [g for g in everything if g.case.kind == kind]))


def _line(label: str, graded: list) -> str:
    right = sum(g.verdict == "right" for g in graded)
    wrong = sum(g.verdict == "wrong" for g in graded)
    refused = [g for g in graded if g.verdict == "refused"]
    resolvable = [g for g in graded if g.case.kind == "resolvable"]
    resolvable_right = sum(g.verdict == "right" for g in resolvable)
    share = f"{100 * resolvable_right / len(resolvable):5.1f} %" if resolvable else "    -  "
    return (
        f"{label:14} {len(graded):4} queries: {right:4} right ({100 * right / len(graded):5.1f} %), "
        f"{wrong} wrong guesses, {len(refused):2} refused ({sum(g.offered for g in refused)} offering the "
        f"topic); resolvable right {share}"
    )


if __name__ == "__main__":
    main()
