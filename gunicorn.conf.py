"""Gunicorn settings, read from the working directory (the Dockerfile's CMD and docker-compose use it)."""

from gunicorn import util

from config import gunicorn as envelope

# Errors gunicorn answers itself come in the API's JSON envelope (config/gunicorn.py).
util.write_error = envelope.write_error
worker_class = "config.gunicorn.EnvelopeSyncWorker"

# Every dependency wait in the application is bounded far below this (docs/operations.md, "Failure
# behaviour"): Redis 0.25 s, PostgreSQL connect 3 s and 12 s per statement, webhooks never inside a request.
timeout = 30
graceful_timeout = 30
