"""Startup checks of settings.RATELIMITS, so a typo fails `manage.py check` rather than a request."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.urls import URLResolver, get_resolver

from apps.ratelimits.buckets import POLICIES

_RATE = re.compile(r"\d+/\d*[smhd]?")
_REQUIRED_BUCKETS = ("read", "write", "timer", "anonymous", "token_ip", "token_client", "token_client_all")


@register(Tags.caches, Tags.urls)
def check_ratelimits(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from apps.organizations.models import Organization

    config = getattr(settings, "RATELIMITS", None)
    if not isinstance(config, dict):
        message = "settings.RATELIMITS must be a dict (see docs/api.md, Rate limits)."
        return [Error(message, id="ratelimits.E001")]
    errors: list[CheckMessage] = []
    buckets = config.get("BUCKETS", {})
    for name in _REQUIRED_BUCKETS:
        if name not in buckets:
            errors.append(Error(f"RATELIMITS['BUCKETS'] has no {name!r} bucket.", id="ratelimits.E002"))
    quotas = config.get("PLAN_QUOTAS", {})
    for plan in Organization.Plan.values:
        if plan not in quotas:
            errors.append(
                Error(f"RATELIMITS['PLAN_QUOTAS'] has no entry for plan {plan!r}.", id="ratelimits.E003")
            )
    rates = [(f"BUCKETS[{k!r}]", v) for k, v in buckets.items()]
    rates += [(f"PLAN_QUOTAS[{k!r}]", v) for k, v in quotas.items() if v is not None]
    for where, rate in rates:
        if not isinstance(rate, str) or not _RATE.fullmatch(rate):
            errors.append(
                Error(
                    f"RATELIMITS {where} = {rate!r} is not a rate like '30/m'.",
                    hint="count/period with period s, m, h or d (e.g. '120/m', '1000/h').",
                    id="ratelimits.E004",
                )
            )
    policies = [config.get("DEFAULT_ON_CACHE_ERROR", "open"), *config.get("ON_CACHE_ERROR", {}).values()]
    if any(policy not in POLICIES for policy in policies):
        errors.append(
            Error(f"RATELIMITS cache-error policies must be one of {sorted(POLICIES)}.", id="ratelimits.E005")
        )
    # A view mounted at several paths (the full API at /api/ and /api/v1/) is reported once.
    for scope, view in dict.fromkeys(_view_scopes(get_resolver().url_patterns)):
        if scope not in buckets:
            errors.append(
                Error(
                    f"{view.__module__}.{view.__qualname__} has throttle_scope {scope!r}, "
                    "which is not a bucket in RATELIMITS['BUCKETS'].",
                    id="ratelimits.E006",
                )
            )
    return errors


def _view_scopes(patterns: list[Any]) -> Iterator[tuple[str, type]]:
    """(throttle_scope, view class) for every DRF view in the URLconf."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _view_scopes(pattern.url_patterns)
            continue
        view = getattr(pattern.callback, "cls", None)
        scope = getattr(view, "throttle_scope", None)
        if view is not None and scope:
            yield scope, view
