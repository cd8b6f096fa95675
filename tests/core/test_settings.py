import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_values():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="0",
        SECRET_KEY="k7Qz-3vN_pL9xR2mW8tY4uE6iO1aS5dF0gH7jK2lZ9xC3vB6nM8qW1eR4tY7uI0oP",
        ALLOWED_HOSTS="teeckin.example.com",
        # Production has Redis (without it the check fails: teeckin.E001); nothing connects to it here.
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_without_debug_a_secret_key_is_required():
    result = _manage("check", DJANGO_SETTINGS_MODULE="config.settings.base", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_secret_key_fallbacks_are_read_from_the_environment():
    """Rotating SECRET_KEY keeps the old one here, so webhook secrets encrypted with it still decrypt."""
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)",
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="1",
        SECRET_KEY_FALLBACKS="old-key-one, old-key-two",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['old-key-one', 'old-key-two']"
