"""Brute-force protection for the OAuth token endpoint (RFC 6749 §2.3.1)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

from apps.core.basic_auth import basic_credentials
from apps.ratelimits.buckets import client_ip, count_in_bucket, rate_limit_state, rate_of
from apps.ratelimits.exceptions import rate_limited_response


def client_id_of(request: HttpRequest) -> str | None:
    """The client id a token request names: HTTP Basic (form-encoded, RFC 6749 §2.3.1) or the body."""
    credentials = basic_credentials(request.META.get("HTTP_AUTHORIZATION"))
    client_id = credentials[0] if credentials else request.POST.get("client_id")
    return client_id or None


def token_endpoint_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap the token view with its brute-force protection (docs/api.md, "Rate limits").

    - ``token_ip``: every attempt, per IP address: one host trying many client ids.
    - ``token_client``: failed attempts per (client id, IP address): one host guessing one agent's
      secret. It never locks out the real agent calling from elsewhere.
    - ``token_client_all``: failed attempts per client id from every address, at a much higher ceiling:
      a guess spread over many hosts.

    Failures are counted after the view answered 401 (``invalid_client``); before it runs, the two
    client buckets are only looked at, and a full one refuses the attempt unanswered. All three fall
    back to in-process counting when Redis is unreachable, so the protection never silently disappears.
    Usage (config/urls.py): ``path("token", token_endpoint_limited(AgentTokenView.as_view()))``.
    """

    @wraps(view)
    def limited_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        state = rate_limit_state(request)
        state.evaluated = True
        ip = client_ip(request)
        usage = count_in_bucket(request, "token_ip", f"ip:{ip}", rate_of("token_ip"))
        if usage is not None:
            state.usages.append(usage)
            if usage.limited:
                return rate_limited_response(usage)
        client_id = client_id_of(request) if request.method == "POST" else None
        failure_buckets = []
        if client_id:
            client = f"client:{client_id[:200]}"
            failure_buckets = [("token_client", f"{client}|ip:{ip}"), ("token_client_all", client)]
        peeked = []
        for bucket, identity in failure_buckets:
            usage = count_in_bucket(request, bucket, identity, rate_of(bucket), acquire=False)
            if usage is None:
                continue
            if usage.limited:
                state.usages.append(usage)
                return rate_limited_response(usage)
            peeked.append(usage)
        response = view(request, *args, **kwargs)
        if response.status_code != 401:
            state.usages.extend(peeked)
            return response
        for bucket, identity in failure_buckets:
            usage = count_in_bucket(request, bucket, identity, rate_of(bucket))
            if usage is not None:
                state.usages.append(usage)
        return response

    return limited_view
