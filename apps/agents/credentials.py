"""Credential formats and digests: client ids, client secrets, access tokens and personal API keys.

Every credential here is at least 32 random bytes, so a single fast SHA-256 is as strong at rest as a slow
password hash (there is nothing to brute-force) and keeps the token endpoint bound by the database rather
than by CPU. Plain SHA-256 (not an HMAC keyed by SECRET_KEY) matches what django-oauth-toolkit itself uses
for ``token_checksum``, and rotating SECRET_KEY then does not silently invalidate every agent secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

CLIENT_ID_PREFIX = "teeckin_agent_"
CLIENT_SECRET_PREFIX = "tcs_"
ACCESS_TOKEN_PREFIX = "tat_"
REFRESH_TOKEN_PREFIX = "trt_"
API_KEY_PREFIX = "tak_"

# Random bytes in each credential (before base64url encoding).
CREDENTIAL_BYTES = 32
# How many leading characters (prefix included) are kept in clear so people can tell secrets apart.
VISIBLE_PREFIX_LENGTH = 12


def credential_digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def digests_match(provided: str, stored_digest: str) -> bool:
    """Constant-time comparison of a presented credential with a stored digest."""
    return hmac.compare_digest(credential_digest(provided), stored_digest)


def new_client_secret() -> str:
    return CLIENT_SECRET_PREFIX + secrets.token_urlsafe(CREDENTIAL_BYTES)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(CREDENTIAL_BYTES)


def visible_prefix(value: str) -> str:
    return value[:VISIBLE_PREFIX_LENGTH]


def access_token_generate(request: Any = None) -> str:
    """OAUTH2_PROVIDER["ACCESS_TOKEN_GENERATOR"]: ``tat_`` + 32 random bytes."""
    return ACCESS_TOKEN_PREFIX + secrets.token_urlsafe(CREDENTIAL_BYTES)


def refresh_token_generate(request: Any = None) -> str:
    """Never issued for client credentials; set so a refresh token could not reuse the ``tat_`` generator."""
    return REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(CREDENTIAL_BYTES)


class AgentClientIdGenerator:
    """OAUTH2_PROVIDER["CLIENT_ID_GENERATOR_CLASS"]: ``teeckin_agent_`` + 32 hex characters.

    Hex only, so an id never contains ``:`` (HTTP Basic splits id and secret on the first colon).
    """

    def hash(self) -> str:
        return CLIENT_ID_PREFIX + secrets.token_hex(16)
