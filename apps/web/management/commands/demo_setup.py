"""Load the demo organization and its admin login; safe to run again (it changes nothing twice). It lives
in the top app because it fills several apps (organizations, topics, tags)."""

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.organizations.models import Membership, Organization
from apps.tags.models import Tag
from apps.topics.models import Category, Topic

DEMO_TOPICS = {"Client Work": ["Project Alpha"], "Internal": ["Research"]}
DEMO_TAGS = ["bug-fix", "feature", "refactoring", "code-review"]
DEMO_GUIDANCE = "Use Project Alpha for client deliverables and Research for exploration and reading."


class Command(BaseCommand):
    help = "Create the demo organization, topics, tags and an admin login, and print the login."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")

    @transaction.atomic
    def handle(self, *args: Any, username: str, **options: Any) -> None:
        organization, _ = Organization.objects.get_or_create(
            # "pro" (5,000 requests an hour): room to try agents and hooks; "free" allows 100.
            name="Demo Organization",
            defaults={"guidance": DEMO_GUIDANCE, "plan": Organization.Plan.PRO},
        )
        for category_name, topic_names in DEMO_TOPICS.items():
            category, _ = Category.objects.get_or_create(organization=organization, name=category_name)
            for topic_name in topic_names:
                Topic.objects.get_or_create(
                    organization=organization, name=topic_name, defaults={"category": category}
                )
        for tag_name in DEMO_TAGS:
            Tag.objects.get_or_create(organization=organization, name=tag_name)

        # The generated password is kept beside the SQLite file so the login can be printed on every run.
        password_file = Path(settings.BASE_DIR) / "var" / f"demo-{username}-password.txt"
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user = user_model.objects.create_superuser(username=username, email="", password=password)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        Membership.objects.get_or_create(
            user=user, defaults={"organization": organization, "role": Membership.Role.OWNER}
        )
        password = password_file.read_text().strip() if password_file.exists() else "(unchanged: set by you)"
        # ./dev run serves on ADDR (default 127.0.0.1:8000): print the address it really serves.
        address = os.environ.get("ADDR") or "127.0.0.1:8000"
        self.stdout.write(
            f"Sign in: http://{address}/ (pages) or http://{address}/admin/  user: {username}  "
            f"password: {password}"
        )
