"""Delete expired access tokens (run from cron, or let the Celery beat job call the same service)."""

from typing import Any

from django.core.management.base import BaseCommand

from apps.agents.services import access_tokens_clear_expired


class Command(BaseCommand):
    help = "Delete access tokens that have expired."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = access_tokens_clear_expired()
        self.stdout.write(f"Deleted {deleted} expired access token(s).")
