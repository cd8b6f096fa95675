"""Typed one-liners for emitting the catalogue's events from services (inside their transaction).

    time_entry_event_record(name="time_entry.updated", entry=entry)
    project_event_record(name="project.created", topic=topic)
    user_event_record(name="user.joined", membership=membership)

Each serializes the object with the same output serializer the API uses, and only when some endpoint
subscribes. For ``*.deleted`` events call the helper before deleting the row, so the payload can still
be built from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.webhooks.services import event_record

if TYPE_CHECKING:
    from apps.clocked_times.models import ClockedTime
    from apps.organizations.models import Membership
    from apps.topics.models import Topic


def time_entry_event_record(*, name: str, entry: ClockedTime) -> None:
    from apps.clocked_times.api.serializers import ClockedTimeOutput

    event_record(organization=entry.organization_id, name=name, data=lambda: ClockedTimeOutput(entry).data)


def project_event_record(*, name: str, topic: Topic) -> None:
    from apps.topics.api.serializers import TopicOutput

    event_record(organization=topic.organization_id, name=name, data=lambda: TopicOutput(topic).data)


def user_event_record(*, name: str, membership: Membership) -> None:
    from apps.organizations.api.serializers import MemberOutput

    event_record(
        organization=membership.organization_id, name=name, data=lambda: MemberOutput(membership).data
    )
