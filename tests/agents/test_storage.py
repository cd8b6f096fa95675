"""No credential is stored in a usable form: the raw tables hold digests only."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import connection
from oauth2_provider.models import AccessToken

from apps.agents.credentials import credential_digest
from apps.agents.models import AgentSecret, ApiKey
from apps.agents.services import agent_secret_rotate, api_key_create
from tests.fixtures.auth import AgentCredentials, issue_token


def all_raw_rows() -> list[str]:
    """Every row of every table of the project, read with plain SQL, as text."""
    rows: list[str] = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT * FROM {table}")
            rows.extend(repr(row) for row in cursor.fetchall())
    return rows


def test_no_secret_token_or_key_is_stored_in_plaintext(owner_agent: AgentCredentials, owner: Any) -> None:
    rotated = agent_secret_rotate(agent=owner_agent.agent)
    tokens = [issue_token(owner_agent) for _ in range(2)]
    api_key = api_key_create(user=owner, name="exporter").plaintext
    plaintexts = [owner_agent.client_secret, rotated.plaintext, api_key, *tokens]

    rows = all_raw_rows()

    assert rows, "the dump found no rows at all"
    for plaintext in plaintexts:
        assert not any(plaintext in row for row in rows), "a credential was stored in plaintext"
        # Nor any long piece of one (a truncated copy would still narrow a guess).
        assert not any(plaintext[4:24] in row for row in rows)
    # What is stored instead: the digests that requests are looked up by.
    assert AccessToken.objects.filter(token_checksum=credential_digest(tokens[0]), token="").exists()
    assert AgentSecret.objects.filter(digest=credential_digest(rotated.plaintext)).exists()
    assert ApiKey.objects.filter(digest=credential_digest(api_key)).exists()
