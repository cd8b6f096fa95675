"""The ``project.*`` webhook events (ClockEye's name for a topic). The payload is the topic as the API
returns it (``TopicOutput``), built only when some endpoint subscribes. Call inside the service's
transaction; for ``project.deleted`` call it before deleting the row."""

from __future__ import annotations

from apps.topics.api.serializers import TopicOutput
from apps.topics.models import Topic
from apps.webhooks.outbox import event_record


def project_event_record(*, name: str, topic: Topic) -> None:
    event_record(organization=topic.organization_id, name=name, data=lambda: TopicOutput(topic).data)
