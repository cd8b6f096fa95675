"""Brute-force protection of the real token endpoint (RFC 6749 §2.3.1), at small limits on whichever cache
the run has; the shipped limits are tested on Redis in test_agent_endpoints.py."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from tests.ratelimits.helpers import limit_headers, set_limits

pytestmark = pytest.mark.django_db

TOKEN = "/api/oauth/token"


def guess(client: Client, client_id: str, ip: str = "198.51.100.1", **extra: Any) -> Any:
    return client.post(
        TOKEN,
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": "wrong-guess"},
        REMOTE_ADDR=ip,
        **extra,
    )


def test_guessing_one_clients_secret_is_refused_after_the_limit(client: Client, settings: Any) -> None:
    # A guess spread over addresses meets the per-client ceiling (token_client_all); issue 9 moved it
    # there from token_client, which now counts per (client id, address).
    set_limits(settings, {"token_client_all": "3/m", "token_ip": "100/m"})

    answers = [guess(client, "teeckin_agent_target", ip=f"203.0.113.{n}") for n in range(3)]
    refused = guess(client, "teeckin_agent_target", ip="203.0.113.99")

    # The real view still answers the attempts within the limit, from any address.
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert answers[0].json()["error"] == "invalid_client"
    assert [limit_headers(a)["Remaining"] for a in answers] == ["2", "1", "0"]
    assert refused.status_code == 429
    assert refused.json()["code"] == "RATE_LIMITED"
    assert refused.json()["details"]["bucket"] == "token_client_all"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another client is unaffected.
    assert guess(client, "teeckin_agent_other").status_code == 401


def test_basic_authentication_counts_for_the_same_client(client: Client, settings: Any) -> None:
    set_limits(settings, {"token_client": "2/m", "token_ip": "100/m"})
    basic = base64.b64encode(b"teeckin_agent_target:wrong-guess").decode()

    guess(client, "teeckin_agent_target")
    client.post(
        TOKEN,
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
        REMOTE_ADDR="198.51.100.1",  # the address guess() uses: token_client is per (client id, address)
    )
    refused = guess(client, "teeckin_agent_target")

    assert refused.status_code == 429
    assert refused.json()["details"]["bucket"] == "token_client"


def test_one_address_trying_many_clients_is_refused(client: Client, settings: Any) -> None:
    set_limits(settings, {"token_client": "100/m", "token_ip": "3/m"})

    statuses = [guess(client, f"teeckin_agent_{n}").status_code for n in range(4)]
    elsewhere = guess(client, "teeckin_agent_9", ip="198.51.100.2")

    assert statuses == [401, 401, 401, 429]
    assert elsewhere.status_code == 401
