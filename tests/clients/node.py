"""Node for the TypeScript SDK's tests: found, its packages installed from package-lock.json, or the test
fails. A developer without npm may skip; CI (``CI`` set) may not."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TYPESCRIPT_DIR = ROOT / "clients/typescript"


def npm_or_skip() -> str:
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI"):
            pytest.fail("npm (Node >= 20) is needed in CI for the TypeScript SDK")
        pytest.skip("npm is not installed (Node >= 20 runs the TypeScript SDK's tests; CI has it)")
    return npm


def node_modules_ready(npm: str) -> None:
    """``npm ci`` (the locked versions) when node_modules is missing or older than package-lock.json.

    Two test processes (pytest-xdist) may both need it: a file lock lets one install while the other
    waits, then finds node_modules ready (two ``npm ci`` in one directory would break each other).
    """
    installed = TYPESCRIPT_DIR / "node_modules/.package-lock.json"
    lock = TYPESCRIPT_DIR / "package-lock.json"
    checkout = hashlib.sha256(str(TYPESCRIPT_DIR).encode()).hexdigest()[:12]
    with open(Path(tempfile.gettempdir()) / f"teeckin-npm-ci-{checkout}.lock", "w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=TYPESCRIPT_DIR,
                check=True,
                timeout=600,
            )
