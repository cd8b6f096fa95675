"""Create an agent for a user and print its credentials as JSON (the secret is shown only here)."""

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.agents.services import agent_create
from apps.core.errors import DomainError


class Command(BaseCommand):
    help = 'Create an agent owned by USERNAME and print {"client_id": …, "client_secret": …} as JSON.'

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="username of the owner the agent acts as")
        parser.add_argument("--name", required=True, help="the agent's display name")
        parser.add_argument(
            "--scopes",
            default="agent",
            help='space- or comma-separated OAuth scopes its tokens may ask for, e.g. "agent webhooks" '
            '(default "agent", which every agent has)',
        )

    def handle(self, *args: Any, user: str, name: str, scopes: str, **options: Any) -> None:
        owner = get_user_model().objects.filter(username=user).first()
        if owner is None:
            raise CommandError(f"No user named {user!r}.")
        try:
            agent, issued = agent_create(user=owner, name=name, scopes=scopes.replace(",", " ").split())
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps({"client_id": agent.client_id, "client_secret": issued.plaintext}))
