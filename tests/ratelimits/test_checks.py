from __future__ import annotations

from typing import Any

from apps.ratelimits.checks import check_ratelimits
from tests.ratelimits.helpers import set_limits


def test_the_shipped_settings_pass() -> None:
    assert check_ratelimits(None) == []


def test_a_bad_rate_a_missing_plan_and_an_unknown_policy_are_reported(settings: Any) -> None:
    set_limits(
        settings,
        {"timer": "10 per minute"},
        PLAN_QUOTAS={"free": "100/h", "standard": "1000/h", "pro": "5000/h"},
        ON_CACHE_ERROR={"token_ip": "sometimes"},
    )

    assert sorted(error.id for error in check_ratelimits(None)) == [
        "ratelimits.E003",
        "ratelimits.E004",
        "ratelimits.E005",
    ]


def test_a_view_scope_without_a_bucket_is_reported_once_per_view(settings: Any) -> None:
    limits = set_limits(settings)
    limits["BUCKETS"] = {k: v for k, v in limits["BUCKETS"].items() if k != "timer"}

    errors = [error.msg for error in check_ratelimits(None) if error.id == "ratelimits.E006"]

    # The full timer views are mounted twice (/api/ and /api/v1/): still one error each. ClockEye's
    # start and stop (apps/clockeye) are timer operations too.
    assert sorted(message.split(" ", 1)[0].rsplit(".", 1)[-1] for message in errors) == [
        "AgentTimerStartView",
        "AgentTimerStopView",
        "TimeEntryStartView",
        "TimeEntryStopView",
        "TimerStartView",
        "TimerStopView",
    ]
