"""Building a client: arguments, the environment, and refusals before any request."""

from __future__ import annotations

import pytest
from teeckin import AsyncTeeckin, Teeckin, TeeckinError


def test_credentials_and_server_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TEECKIN_URL", "https://teeckin.example.com/")
    monkeypatch.setenv("TEECKIN_CLIENT_ID", "teeckin_agent_x")
    monkeypatch.setenv("TEECKIN_CLIENT_SECRET", "tcs_x")
    with Teeckin(timeout=3, max_retries=0) as sdk:
        options = sdk.options
    assert options.base_url == "https://teeckin.example.com" and options.uses_token
    assert options.client_id == "teeckin_agent_x" and options.timeout == 3 and options.max_retries == 0
    with Teeckin(api_key="tak_given") as sdk:  # an argument wins over the environment
        assert not sdk.options.uses_token


@pytest.mark.parametrize(
    "arguments,message",
    [
        ({"api_key": "tak_x"}, "No server"),
        ({"base_url": "https://teeckin.example.com"}, "No credentials"),
        ({"base_url": "https://teeckin.example.com", "client_id": "teeckin_agent_x"}, "No credentials"),
    ],
)
def test_missing_settings_are_refused_at_once(monkeypatch, arguments, message):
    for name in ("TEECKIN_URL", "TEECKIN_API_KEY", "TEECKIN_CLIENT_ID", "TEECKIN_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for client_class in (Teeckin, AsyncTeeckin):
        with pytest.raises(TeeckinError, match=message):
            client_class(**arguments)


def test_verify_needs_a_secret(monkeypatch):
    monkeypatch.delenv("TEECKIN_WEBHOOK_SECRET", raising=False)
    with (
        Teeckin(base_url="https://teeckin.example.com", api_key="tak_x") as sdk,
        pytest.raises(TeeckinError, match="No webhook secret"),
    ):
        sdk.webhooks.verify(b"{}", {"X-Webhook-Signature": "sha256=00"})
