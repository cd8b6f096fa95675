"""``manage.py createapikey``: a personal API key from the command line, as the admin makes one."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from apps.agents.credentials import credential_digest
from apps.agents.models import ApiKey
from tests.conftest import make_user


def test_the_printed_key_authenticates_a_request_as_its_user(owner: Any, org: Any) -> None:
    out, err = StringIO(), StringIO()
    call_command("createapikey", "--user", owner.username, "--name", "CI exporter", stdout=out, stderr=err)

    key = out.getvalue().strip()
    response = APIClient().get("/api/agent/me", HTTP_X_API_KEY=key)
    assert response.status_code == 200
    assert response.json() == {
        "agent": None,
        "user": {"username": owner.username},
        "organization": {"id": org.pk, "name": org.name},
    }
    stored = ApiKey.objects.get()
    assert (stored.user, stored.name) == (owner, "CI exporter")
    # Only the digest is kept: the printed key is the one and only copy.
    assert stored.digest == credential_digest(key) and key not in (stored.digest, stored.prefix)
    assert "X-API-Key" in err.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--user", "nobody", "--name", "CI"], "No user named 'nobody'."),
        (["--user", "olivia", "--name", "   "], "An API key needs a name."),
        (["--user", "loner", "--name", "CI"], "User loner does not belong to an organization."),
    ],
    ids=["unknown user", "blank name", "user without an organization"],
)
def test_bad_input_exits_non_zero_with_the_reason_and_creates_nothing(
    owner: Any, arguments: list[str], message: str
) -> None:
    make_user("loner", None)
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("createapikey", *arguments, stdout=out)

    # manage.py prints "CommandError: <message>" on stderr and exits with this code.
    assert str(refused.value) == message
    assert refused.value.returncode != 0
    assert out.getvalue() == ""
    assert not ApiKey.objects.exists()
