"""HTTP Basic credentials, read in one place: the OAuth validator authenticates with them and the token
endpoint's rate limiter counts failures per the client id they name, so the two must read them alike."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_plus


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """The (user id, password) of an ``Authorization: Basic …`` header, or None for another scheme or a
    malformed value (not base64, not UTF-8, no colon). Both parts are form-urldecoded, as OAuth clients
    encode them before joining (RFC 6749 §2.3.1); the scheme name is case-insensitive (RFC 7235)."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user_id, colon, password = decoded.partition(":")
    if not colon:
        return None
    return unquote_plus(user_id), unquote_plus(password)
