"""Rate-limit buckets: who is counted, in which bucket, and what happens when the counter store fails.

Counting is a sliding window counter of the ``limits`` package (apps/ratelimits/counters.py: atomic, one
Redis round trip per bucket), called at most once per bucket per request. Every limit comes from
``settings.RATELIMITS``, read at each call rather than at import, so a settings override (a test's) takes
effect at once.

What a request carries for the response headers is a ``RateLimitState`` on the Django ``HttpRequest``
(``request.teeckin_ratelimit``); ``RateLimitMiddleware`` turns it into ``X-RateLimit-*`` headers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django_ratelimit.core import _get_ip
from redis.exceptions import RedisError

from apps.core.cache_breaker import cache_failed, cache_is_down
from apps.ratelimits import counters

logger = logging.getLogger("teeckin.ratelimits")

STATE_ATTRIBUTE = "teeckin_ratelimit"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# What a bucket does when its counter cannot be read from the shared cache (Redis down).
FAIL_OPEN = "open"  # let the request through uncounted
FAIL_CLOSED = "closed"  # refuse the request
FAIL_LOCAL = "local"  # count in this process instead (limits multiply by the number of processes)
POLICIES = {FAIL_OPEN, FAIL_CLOSED, FAIL_LOCAL}

_PERIOD_NAMES = {1: "second", 60: "minute", 3600: "hour", 86400: "day"}


@dataclass(frozen=True)
class Usage:
    """One bucket's count for one request, after this request was counted."""

    bucket: str
    limit: int
    remaining: int
    reset: int  # seconds until the window ends and the count starts again
    period: int
    limited: bool

    @property
    def description(self) -> str:
        per = _PERIOD_NAMES.get(self.period, f"{self.period} seconds")
        return f"{self.limit} requests per {per} in bucket '{self.bucket}'"


@dataclass
class RateLimitState:
    """What the limiter did for a request. ``evaluated`` is set even when every bucket failed open."""

    usages: list[Usage] = field(default_factory=list)
    evaluated: bool = False

    @property
    def refusal(self) -> Usage | None:
        return next((usage for usage in self.usages if usage.limited), None)

    @property
    def reported(self) -> Usage | None:
        """The bucket the headers describe: the one that refused, else the one closest to refusing.

        "Closest" is the fewest requests remaining (ties: the smaller limit), so ``X-RateLimit-Remaining``
        is always how many more requests can be made before a 429, whichever bucket that will come from.
        """
        if self.refusal is not None:
            return self.refusal
        return min(self.usages, key=lambda usage: (usage.remaining, usage.limit), default=None)


def rate_limit_state(request: Any) -> RateLimitState:
    """The state on the underlying Django request (DRF's ``Request`` wraps it as ``_request``)."""
    django_request = getattr(request, "_request", request)
    state = getattr(django_request, STATE_ATTRIBUTE, None)
    if state is None:
        state = RateLimitState()
        setattr(django_request, STATE_ATTRIBUTE, state)
    return state


# --- The counter store. apps.core.cache_breaker makes a dead Redis cost one timeout per few seconds
# instead of one per bucket per request.
def _policy(bucket: str) -> str:
    policies = settings.RATELIMITS.get("ON_CACHE_ERROR", {})
    policy = policies.get(bucket, settings.RATELIMITS.get("DEFAULT_ON_CACHE_ERROR", FAIL_OPEN))
    if policy not in POLICIES:
        raise ImproperlyConfigured(f"RATELIMITS ON_CACHE_ERROR for {bucket!r} must be one of {POLICIES}.")
    return policy


def _usage(bucket: str, limit: int, period: int, counted: counters.Count) -> Usage:
    return Usage(
        bucket=bucket,
        limit=limit,
        remaining=counted.remaining,
        reset=counted.reset,
        period=period,
        limited=not counted.allowed,
    )


def _usage_on_cache_error(bucket: str, key: str, limit: int, period: int, acquire: bool) -> Usage | None:
    policy = _policy(bucket)
    if policy == FAIL_OPEN:
        return None
    if policy == FAIL_CLOSED:
        return Usage(bucket=bucket, limit=limit, remaining=0, reset=period, period=period, limited=True)
    return _usage(
        bucket, limit, period, counters.fallback.count(counters._item(limit, period), key, acquire=acquire)
    )


def bucket_key(bucket: str, identity: str) -> str:
    # RATELIMIT_CACHE_PREFIX: a namespace of counters (tests give each test its own).
    return f"{getattr(settings, 'RATELIMIT_CACHE_PREFIX', '')}{bucket}|{identity}"


def count_in_bucket(
    request: HttpRequest, bucket: str, identity: str, rate: str, *, acquire: bool = True
) -> Usage | None:
    """Count this request in ``bucket`` for ``identity`` and return the usage (``acquire=False``: only
    look whether one more request would fit, counting nothing).

    ``None`` means not counted: rate limiting is switched off (``RATELIMIT_ENABLE``), or the counter
    store failed and the bucket fails open.
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    limit, period = counters.rate_parse(rate)
    key = bucket_key(bucket, identity)
    if cache_is_down():
        return _usage_on_cache_error(bucket, key, limit, period, acquire)
    try:
        counted = counters.count(key, limit, period, acquire=acquire)
    except (RedisError, OSError) as error:
        cache_failed(
            error,
            logger=logger,
            fallback="rate-limit buckets apply their ON_CACHE_ERROR policy (open, closed, local)",
        )
        return _usage_on_cache_error(bucket, key, limit, period, acquire)
    return _usage(bucket, limit, period, counted)


def client_ip(request: HttpRequest) -> str:
    # The same address rules as django-ratelimit's own "ip" key (RATELIMIT_IP_META_KEY, IPv6 /64 mask).
    return _get_ip(request)


def login_client_ip(request: HttpRequest) -> str | None:
    """``client_ip`` for the login throttle (AXES_CLIENT_IP_CALLABLE), so both agree behind a proxy;
    None for a request that did not come from the network (a test client's ``force_login``)."""
    try:
        return _get_ip(request)
    except KeyError:
        return None


# --- Who a request is counted as.
def bucket_owner(request: Any) -> tuple[str, str | None]:
    """(identity, organization id) for an API request; the identity names the bucket owner.

    An OAuth access token has ``application``: the Agent. An API key (``request.auth`` is the ``ApiKey``)
    is counted by its model label and primary key, so each key has its own buckets. A browser session
    counts per user. Anything else per IP address, with no organization.
    """
    auth = getattr(request, "auth", None)
    user = getattr(request, "user", None)
    application = getattr(auth, "application", None)
    if application is not None and getattr(application, "pk", None) is not None:
        return f"agent:{application.pk}", getattr(application, "organization_id", None) or _org_of(user)
    meta = getattr(auth, "_meta", None)
    if meta is not None and getattr(auth, "pk", None) is not None:
        return f"key:{meta.label_lower}:{auth.pk}", getattr(auth, "organization_id", None) or _org_of(user)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}", _org_of(user)
    return f"ip:{client_ip(request)}", None


def _org_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    membership = getattr(user, "membership", None)
    return getattr(membership, "organization_id", None)


def _loaded_organization(request: Any, organization_id: str) -> Any:
    """The organization object authentication already loaded (it joins token, owner, membership and
    organization in one query), so the plan costs no extra query; None if it is not in memory."""
    user = getattr(request, "user", None)
    state = getattr(user, "_state", None)
    membership = state.fields_cache.get("membership") if state is not None else None
    organization = membership._state.fields_cache.get("organization") if membership is not None else None
    return organization if getattr(organization, "pk", None) == organization_id else None


def plan_rate(organization_id: str, request: Any = None) -> str | None:
    """The hourly quota of the organization's plan; ``None`` means unlimited."""
    from apps.organizations.models import Organization

    organization = _loaded_organization(request, organization_id) if request is not None else None
    if organization is not None:
        plan = organization.plan
    else:
        plan = Organization.objects.filter(pk=organization_id).values_list("plan", flat=True).first()
    return settings.RATELIMITS["PLAN_QUOTAS"].get(plan) if plan is not None else None


def rate_of(bucket: str) -> str:
    try:
        return settings.RATELIMITS["BUCKETS"][bucket]
    except KeyError:
        raise ImproperlyConfigured(
            f"No rate for bucket {bucket!r} in settings.RATELIMITS['BUCKETS']."
        ) from None


def count_api_request(request: Any, scope: str | None = None) -> RateLimitState:
    """Count an API request in every bucket that applies, tightest first, and record it on the request.

    Buckets, in order: the view's scope (``throttle_scope``, e.g. "timer"), then read or write by method,
    then the organization's hourly plan quota. A timer operation therefore also counts as a write; a scope
    in ``RATELIMITS["ALONE"]`` counts in its own bucket only.
    Counting stops at the first refusal, so a refused request does not use up the wider buckets (an agent
    retrying a refused timer start does not burn the organization's hourly quota).
    Unauthenticated requests count only in "anonymous", per IP address.
    """
    state = rate_limit_state(request)
    if state.evaluated:  # never count a request twice (throttle, then middleware)
        return state
    state.evaluated = True
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return state
    identity, organization_id = bucket_owner(request)
    if identity.startswith("ip:"):
        counts: list[tuple[str, str, str | None]] = [("anonymous", identity, rate_of("anonymous"))]
    else:
        counts = []
        if scope:
            counts.append((scope, identity, rate_of(scope)))
        # A scope listed in ALONE (heartbeats) is the request's only bucket: frequent, cheap requests that
        # would otherwise use up the write bucket and the plan's quota that real work needs.
        if scope not in settings.RATELIMITS.get("ALONE", ()):
            method_bucket = "read" if request.method in SAFE_METHODS else "write"
            counts.append((method_bucket, identity, rate_of(method_bucket)))
            if organization_id is not None:
                counts.append(("plan", f"org:{organization_id}", plan_rate(organization_id, request)))
    for bucket, who, rate in counts:
        if rate is None:  # unlimited (enterprise plan)
            continue
        usage = count_in_bucket(request, bucket, who, rate)
        if usage is None:
            continue
        state.usages.append(usage)
        if usage.limited:
            break
    return state
