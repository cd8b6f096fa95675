"""Login throttling for every login form (django-axes).

Axes counts failed ``authenticate()`` calls per IP address and per username, whichever view made them
(the admin's login, the people's pages at /accounts/login/, any other), and refuses further attempts for
``AXES_COOLOFF_TIME`` once either reaches ``AXES_FAILURE_LIMIT`` (docs/agents-and-auth.md, "Security").
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' backend, except for ``authenticate()`` calls without a request.

    Those are not HTTP logins (the test client's ``login()``, management commands): there is no address
    to count, and axes would refuse them outright. Every Django login view passes the request.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:  # type: ignore[override]
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
