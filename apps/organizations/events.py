"""The ``user.*`` webhook events. The payload is the member as the API returns it (``MemberOutput``),
built only when some endpoint subscribes. Call inside the service's transaction; for ``user.removed``
call it before deleting the membership."""

from __future__ import annotations

from apps.organizations.api.serializers import MemberOutput
from apps.organizations.models import Membership
from apps.webhooks.outbox import event_record


def user_event_record(*, name: str, membership: Membership) -> None:
    event_record(
        organization=membership.organization_id, name=name, data=lambda: MemberOutput(membership).data
    )
