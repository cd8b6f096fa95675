from __future__ import annotations

import base64
import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken

from apps.agents.models import Agent, TokenOrigin
from apps.agents.services import access_tokens_clear_expired, agent_create
from apps.core.errors import ValidationFailed
from tests.conftest import make_topic, make_user
from tests.fixtures.auth import AgentCredentials, issue_token


def test_agent_create_issues_a_long_random_secret_and_a_teeckin_client_id(owner: Any, org: Any) -> None:
    agent, issued = agent_create(user=owner, name="  Cursor  ")

    assert agent.name == "Cursor"
    assert agent.organization == org
    assert agent.user == owner
    assert agent.client_id.startswith("teeckin_agent_")
    assert ":" not in agent.client_id
    assert issued.plaintext.startswith("tcs_")
    assert len(base64.urlsafe_b64decode(issued.plaintext[4:] + "=")) >= 32
    assert issued.secret.prefix == issued.plaintext[:12]
    # DOT's own secret column is never blank (the blank-secret trap) and is not the agent's secret.
    assert agent.client_secret and issued.plaintext not in agent.client_secret


@pytest.mark.parametrize("name", ["", "   "])
def test_agent_create_needs_a_name(owner: Any, name: str) -> None:
    with pytest.raises(ValidationFailed):
        agent_create(user=owner, name=name)
    assert not Agent.objects.exists()


def test_agent_create_needs_an_organization_member(db: None) -> None:
    loner = make_user("loner", None)
    with pytest.raises(ValidationFailed) as caught:
        agent_create(user=loner, name="Bot")
    assert caught.value.code == "NO_ORGANIZATION"


def test_agent_default_topic_must_be_in_the_owners_organization(owner: Any, other_org: Any) -> None:
    foreign = make_topic(other_org, "Globex secret project")
    with pytest.raises(ValidationFailed):
        agent_create(user=owner, name="Bot", default_topic=foreign)
    assert not Agent.objects.exists()


def test_clear_expired_removes_only_expired_tokens(owner_agent: AgentCredentials) -> None:
    expired, live = issue_token(owner_agent), issue_token(owner_agent)
    AccessToken.objects.filter(pk=AccessToken.objects.order_by("pk").first().pk).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    assert expired != live

    assert access_tokens_clear_expired() == 1
    assert AccessToken.objects.count() == 1
    assert TokenOrigin.objects.count() == 1


def test_clearexpiredtokens_command(owner_agent: AgentCredentials) -> None:
    issue_token(owner_agent)
    out = StringIO()
    call_command("clearexpiredtokens", stdout=out)
    assert "Deleted 0" in out.getvalue()
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    call_command("clearexpiredtokens", stdout=out)
    assert "Deleted 1" in out.getvalue()
    assert not AccessToken.objects.exists()


def test_createagent_prints_working_credentials(owner: Any) -> None:
    out = StringIO()
    call_command("createagent", "--user", owner.username, "--name", "Hook", stdout=out)

    printed = json.loads(out.getvalue())
    assert set(printed) == {"client_id", "client_secret"}
    agent = Agent.objects.get(client_id=printed["client_id"])
    assert agent.user == owner and agent.name == "Hook"
    issue_token(AgentCredentials(agent, printed["client_id"], printed["client_secret"]))


def test_createagent_refuses_an_unknown_user(db: None) -> None:
    with pytest.raises(CommandError, match="No user"):
        call_command("createagent", "--user", "nobody", "--name", "Hook", stdout=StringIO())


def test_the_cleanup_task_calls_the_service(owner_agent: AgentCredentials) -> None:
    from apps.agents.tasks import access_tokens_clear_expired_task

    issue_token(owner_agent)
    AccessToken.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert access_tokens_clear_expired_task() == 1  # run in-process: no worker in tests
    assert not AccessToken.objects.exists()
