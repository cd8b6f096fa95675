"""Who may open a page: a signed-in member of an organization, with at least the page's role.

Every page loads the person's membership (with its organization) once, here, and scopes every lookup
to that organization, so another organization's id is simply not found (404).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django_htmx.http import HttpResponseClientRedirect

from apps.organizations.models import Membership

ROLE_RANK = {Membership.Role.MEMBER: 0, Membership.Role.ADMIN: 1, Membership.Role.OWNER: 2}


def is_admin(membership: Membership) -> bool:
    return ROLE_RANK[membership.role] >= ROLE_RANK[Membership.Role.ADMIN]


def page(role: str = Membership.Role.MEMBER) -> Callable:
    """Decorate a page view: sign-in required, then a membership of at least ``role`` (else 403).

    The view gets ``request.membership`` (with ``.organization`` loaded).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        def as_member(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = (
                Membership.objects.select_related("organization").filter(user_id=request.user.pk).first()
            )
            if membership is None:
                raise PermissionDenied("Your account does not belong to an organization.")
            if ROLE_RANK[membership.role] < ROLE_RANK[role]:
                raise PermissionDenied(f"This page is for an organization's {role}s.")
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request, "htmx", False) and not request.user.is_authenticated:
                # A signed-out htmx request would get the sign-in page swapped into a row: send the whole
                # window there instead, back to the page it was on afterwards.
                back = urlencode({"next": request.htmx.current_url_abs_path or "/"})  # type: ignore[attr-defined]
                return HttpResponseClientRedirect(f"{settings.LOGIN_URL}?{back}")
            return as_member(request, *args, **kwargs)

        return wrapped

    return decorator
