from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from apps.core.errors import Forbidden
from apps.organizations.actor import actor_from_request


class NotOrgAdmin(Forbidden):
    """A member (or a member's agent) asking for what only the organization's owners and admins may do."""

    code = "NOT_ORG_ADMIN"
    default_message = "Only organization owners and admins can change this."


class IsOrgAdminOrReadOnly(BasePermission):
    """Every member (and their agents) reads; only owners and admins of the organization write.

    An agent acts with its owner's role: an admin's agent may manage topics, a member's may not.
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS or actor_from_request(request).is_org_admin:
            return True
        raise NotOrgAdmin()
