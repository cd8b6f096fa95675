"""Brute-force protection for the OAuth token endpoint (RFC 6749 §2.3.1)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import unquote_plus

from django.http import HttpRequest, HttpResponse

from apps.ratelimits.buckets import charge, client_ip, rate_of, state_of
from apps.ratelimits.exceptions import rate_limited_response


def client_id_of(request: HttpRequest) -> str | None:
    """The client id a token request names: HTTP Basic (form-encoded, RFC 6749 §2.3.1) or the body."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() == "basic" and encoded:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        client_id, _, _secret = decoded.partition(":")
        return unquote_plus(client_id) or None
    return request.POST.get("client_id") or None


def token_endpoint_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap the token view: each attempt counts per IP address ("token_ip") and per client id
    ("token_client") before the secret is checked, successful or not.

    Per client id stops a distributed guess at one agent's secret; per IP stops one host trying many
    client ids. Both fall back to in-process counting when Redis is unreachable (see README), so the
    protection never silently disappears. Usage (teeckin/urls.py): ``path("token",
    token_endpoint_limited(AgentTokenView.as_view()), name="token")``.
    """

    @wraps(view)
    def limited_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        state = state_of(request)
        state.evaluated = True
        counts = [("token_ip", f"ip:{client_ip(request)}")]
        client_id = client_id_of(request) if request.method == "POST" else None
        if client_id:
            counts.append(("token_client", f"client:{client_id[:200]}"))
        for bucket, identity in counts:
            usage = charge(request, bucket, identity, rate_of(bucket))
            if usage is None:
                continue
            state.usages.append(usage)
            if usage.limited:
                return rate_limited_response(usage)
        return view(request, *args, **kwargs)

    return limited_view
