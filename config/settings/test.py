"""Test settings: the base settings with what only makes tests faster or deterministic."""

import os
from datetime import timedelta

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-3a8f1c2e9b7d6a5f4e3d2c1b")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# The race tests run up to a hundred requests of one person at once in one process: they queue on the
# person's lock while holding the pool's 20 connections, and the rest wait for a connection. On a busy
# two-core CI machine running the suite in two processes that queue can outlast the production 5 s; the
# outage tests that need the pool to give up set their own short timeout (tests/core).
os.environ.setdefault("DB_POOL_TIMEOUT_SECONDS", "30")

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    CACHES,
    CELERY_BROKER_TRANSPORT_OPTIONS,
    REDIS_URL,
    SILENCED_SYSTEM_CHECKS,
    STORAGES,
)

# Tests talk plain HTTP to the test client.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Fast password hashing: user passwords in tests protect nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic in tests.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Webhook receivers in tests are pytest-httpserver on 127.0.0.1 over http; retries a fraction of a second
# apart so a test can watch a delivery fail three times and succeed.
WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
WEBHOOK_RETRY_BASE_DELAY = timedelta(milliseconds=500)
WEBHOOK_READ_TIMEOUT_SECONDS = 2

# The plain SQLite run has no Redis: a test process is one process, so the shared-state check does not
# apply (it stays an error for any real deployment without REDIS_URL).
if not REDIS_URL:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "teeckin.E001"]

# pytest-xdist runs the suite in several processes, each on a test database of its own (pytest-django names
# them per worker). Their keys in the shared Redis are kept apart the same way: a Celery worker started by a
# test in one process never takes the tasks of another, and no cache entry is shared.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and XDIST_WORKER:
    CACHES = {"default": {**CACHES["default"], "KEY_PREFIX": f"teeckin-{XDIST_WORKER}"}}
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": f"{XDIST_WORKER}:",
    }
