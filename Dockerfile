# Teeckin: gunicorn with uvicorn workers serving the ASGI app (Django and /mcp), static files by whitenoise,
# as a non-root user.
FROM python:3.12-slim AS app

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
COPY config ./config
COPY apps ./apps
COPY templates ./templates
# The people's pages' CSS and JS and the vendored htmx and Chart.js (collected below).
COPY static ./static
COPY manage.py gunicorn.conf.py ./
RUN pip install . \
    && useradd --system --uid 10001 --home /app teeckin \
    && mkdir -p /app/var && chown teeckin /app/var

# collectstatic needs settings but no real secret or database.
RUN DEBUG=0 SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    python manage.py collectstatic --noinput

USER teeckin
EXPOSE 8000
CMD ["gunicorn", "config.asgi:application", "--worker-class", "uvicorn_worker.UvicornWorker", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
