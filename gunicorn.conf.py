"""Gunicorn settings, read from the working directory (the Dockerfile's CMD and docker-compose use it)."""

from gunicorn import util

from teeckin import gunicorn as envelope

# Errors gunicorn answers itself come in the API's JSON envelope (teeckin/gunicorn.py).
util.write_error = envelope.write_error
worker_class = "teeckin.gunicorn.EnvelopeSyncWorker"

# Every dependency wait in the application is bounded far below this (README "Reliability"): Redis 0.25 s,
# PostgreSQL connect 3 s and 12 s per statement, webhooks never inside a request.
timeout = 30
graceful_timeout = 30
