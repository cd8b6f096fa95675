"""A serving process freezes what start-up built (config/startup.py): its collections then skip those
objects, and its first request does not import the views."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
import {module}
print(json.dumps({{"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects()),
                  "views": "apps.timer.api.views" in sys.modules}}))
"""


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi"])
def test_the_application_module_freezes_its_start_up_objects(module: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEBUG="1", LOG_LEVEL="ERROR")
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    # Django, the apps and the URLconf: well over a hundred thousand objects, none left to the collector.
    assert probe["frozen"] > 100_000
    assert probe["tracked"] < 1_000
    assert probe["views"]
