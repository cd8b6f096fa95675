"""The rate-limit tests exercise the plan quotas, so their organizations start on the free plan, as a
hosted offering would configure (a self-hosted install defaults to the unlimited plan)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _organizations_start_on_the_free_plan(settings: Any) -> None:
    settings.ORGANIZATION_DEFAULT_PLAN = "free"
