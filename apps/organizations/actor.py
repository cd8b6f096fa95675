"""Who a request acts as: the user, their membership (so their organization and role), and the agent
(OAuth client) if one made it.

Authentication classes put the user on ``request.user`` and the credential (an OAuth access token whose
``application`` is the agent, or an API key) on ``request.auth``. Everything else derives from those,
never from anything the request body or query says. The agent model is DOT's swappable application
model, looked up through DOT, so this module (below the agents app) does not import it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from oauth2_provider.models import AbstractApplication, get_application_model

from apps.core.errors import Forbidden
from apps.organizations.models import Membership, Organization

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from rest_framework.request import Request


@dataclass(frozen=True)
class Actor:
    user: User
    membership: Membership
    agent: AbstractApplication | None

    @property
    def organization(self) -> Organization:
        return self.membership.organization

    @property
    def is_org_admin(self) -> bool:
        return self.membership.role in ("owner", "admin")


def actor_from_request(request: Request) -> Actor:
    user = request.user
    try:
        membership = user.membership
    except Membership.DoesNotExist:
        raise Forbidden("This account does not belong to an organization.", code="NO_ORGANIZATION") from None
    agent = getattr(request.auth, "application", None)
    return Actor(
        user=user, membership=membership, agent=agent if isinstance(agent, get_application_model()) else None
    )
