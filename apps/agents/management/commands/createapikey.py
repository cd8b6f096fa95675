"""Create a personal API key for a user and print it (the key is shown only here: only its digest is kept)."""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.agents.services import api_key_create
from apps.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a personal API key (X-API-Key) that acts as USERNAME and print it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="username of the person the key acts as")
        parser.add_argument("--name", required=True, help="what the key is for, as the admin lists it")

    def handle(self, *args: Any, user: str, name: str, **options: Any) -> None:
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        try:
            issued = api_key_create(user=owner, name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        # The key alone on stdout, so KEY=$(manage.py createapikey …) works; the advice goes to stderr.
        self.stdout.write(issued.plaintext)
        self.stderr.write('Send it as "X-API-Key: <key>". It is not shown again: only its digest is stored.')
