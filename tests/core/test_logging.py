"""Log lines come out once: Django's own loggers reach the console through the root handler only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

EMIT = """
import logging, django
django.setup()
logging.getLogger("django.request").warning("Not Found: /probe")
"""


@pytest.mark.parametrize("debug", ["1", "0"], ids=["debug (./dev run)", "production"])
def test_a_request_warning_is_printed_once(debug: str) -> None:
    # A process of its own: django.setup() configures logging for the whole process.
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "LOG_LEVEL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG=debug,
        SECRET_KEY="logging-test-only-4f9c2b7e1d8a3f6c5b0e9d2a7c4f1b8e3d6a9c2f5b8e1d4a",
        ALLOWED_HOSTS="localhost",
    )
    result = subprocess.run(
        [sys.executable, "-c", EMIT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    printed = [line for line in result.stderr.splitlines() if "/probe" in line]
    assert len(printed) == 1, result.stderr
    assert printed[0].endswith("WARNING django.request Not Found: /probe")
