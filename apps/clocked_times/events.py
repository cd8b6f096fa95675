"""The ``time_entry.*`` webhook events. The payload is the entry as the API returns it
(``ClockedTimeOutput``), built only when some endpoint subscribes. Call inside the service's transaction;
for ``time_entry.deleted`` call it before deleting the row, so the payload can still be built from it."""

from __future__ import annotations

from apps.clocked_times.api.serializers import ClockedTimeOutput
from apps.clocked_times.models import ClockedTime
from apps.webhooks.outbox import event_record


def time_entry_event_record(*, name: str, entry: ClockedTime) -> None:
    event_record(organization=entry.organization_id, name=name, data=lambda: ClockedTimeOutput(entry).data)
