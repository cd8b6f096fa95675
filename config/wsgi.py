"""The WSGI application (gunicorn's sync workers, gunicorn.conf.py); config/asgi.py serves by default."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

from config.startup import startup_freeze  # noqa: E402

startup_freeze()
