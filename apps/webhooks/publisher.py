"""Publishing delivery tasks to the broker off the request: no answer ever waits on Redis.

A write commits its outbox rows, then hands each delivery id to ``publish_later``, which queues it for a
background thread of the process and returns at once. The thread publishes one by one; when a publish
fails (Redis dead, or frozen until the socket timeout) it drops what arrives for
``CACHE_RETRY_SECONDS`` instead of paying a timeout per delivery. Nothing is lost by dropping: the rows
stay due in the database and the minutely sweeper (``deliveries_enqueue_due``) publishes them again.

With ``CELERY_TASK_ALWAYS_EAGER`` (no ``REDIS_URL``: development, the SQLite test run) there is no broker
and "publishing" runs the task itself, so it happens inline, as before.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger(__name__)

Publish = Callable[[], bool]  # True when the broker took the message

# Deliveries waiting for the thread. Bounded so a long outage cannot grow memory without end; what does
# not fit is left to the sweeper like any other failed publish.
_QUEUE_SIZE = 10_000


class _Publisher:
    def __init__(self) -> None:
        self._queue: queue.Queue[Publish] = queue.Queue(maxsize=_QUEUE_SIZE)
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._down_until = 0.0
        self._dropped = 0

    def submit(self, publish: Publish) -> None:
        self._ensure_thread()
        try:
            self._queue.put_nowait(publish)
        except queue.Full:
            self._dropped += 1

    def _ensure_thread(self) -> None:
        # A thread does not survive fork (gunicorn --preload, Celery's prefork pool): one per process.
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._queue = queue.Queue(maxsize=_QUEUE_SIZE)
            threading.Thread(target=self._run, name="webhook-publisher", daemon=True).start()
            self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            publish = self._queue.get()
            try:
                self._publish(publish)
            finally:
                self._queue.task_done()

    def _publish(self, publish: Publish) -> None:
        if time.monotonic() < self._down_until:
            self._dropped += 1
            return
        if self._dropped:
            logger.warning(
                "%s webhook deliveries were left to the sweeper while the broker was down", self._dropped
            )
            self._dropped = 0
        try:
            published = publish()
        except Exception:  # the publish function logs its own failures; anything else must not kill us
            logger.exception("Publishing a webhook delivery failed")
            published = False
        if not published:
            self._down_until = time.monotonic() + getattr(settings, "CACHE_RETRY_SECONDS", 5)

    def idle(self, timeout: float) -> bool:
        """Wait until everything submitted so far was published or dropped (tests, benchmarks)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def reset(self) -> None:
        self._down_until = 0.0
        self._dropped = 0


_publisher = _Publisher()


def publish_later(publish: Publish) -> None:
    """Run ``publish`` soon on the publisher thread (inline when Celery is eager: there is no broker)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        publish()
        return
    _publisher.submit(publish)


def publisher_idle(timeout: float = 10.0) -> bool:
    return _publisher.idle(timeout)


def publisher_reset() -> None:
    """Forget a broker failure (tests: one test's dead broker must not drop the next test's publishes)."""
    _publisher.reset()
