from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from apps.organizations.actor import actor_from_request


class IsOrgAdminOrReadOnly(BasePermission):
    """Every member (and their agents) reads; only owners and admins of the organization write.

    An agent acts with its owner's role: an admin's agent may manage topics, a member's may not.
    """

    message = "Only organization owners and admins can change this."
    code = "not_org_admin"

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return actor_from_request(request).is_org_admin
