import base64
import hashlib
import hmac
import json
import time

import pytest
from django.test import override_settings
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from apps.webhooks import signing


def test_secret_is_in_standard_webhooks_format():
    secret = signing.secret_generate()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert signing.secret_generate() != secret


def test_secret_is_encrypted_at_rest_and_recoverable():
    secret = signing.secret_generate()
    stored = signing.secret_encrypt(secret)
    assert secret not in stored and secret.removeprefix("whsec_") not in stored
    assert signing.secret_decrypt(stored) == secret


def test_secret_survives_a_secret_key_rotation_via_fallbacks(settings):
    secret = signing.secret_generate()
    stored = signing.secret_encrypt(secret)
    with override_settings(SECRET_KEY="a-new-key-" + "x" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert signing.secret_decrypt(stored) == secret


def test_both_signatures_verify_and_a_tampered_body_fails():
    secret = signing.secret_generate()
    body = json.dumps({"id": "evt-1", "event": "time_entry.started", "data": {"notes": "naïve"}}).encode()
    headers = signing.signature_headers(
        secret=secret, message_id="evt-1", timestamp=int(time.time()), body=body
    )

    # ClockEye's snippet: HMAC-SHA256 of the raw body with the secret as given, "sha256=" + hex.
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Teeckin-Signature"], expected)
    # The same value under the neutral name, for receivers written for ClockEye.
    assert headers["X-Webhook-Signature"] == headers["X-Teeckin-Signature"]

    # Standard Webhooks, checked by the reference library.
    assert Webhook(secret).verify(body, headers)["id"] == "evt-1"
    assert headers["webhook-id"] == "evt-1"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"evt-1", b"evt-2"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.secret_generate()).verify(body, headers)
