"""Every endpoint the SDK uses, once: its method, path, body and the model its answer is read into.

The sync and async resources both build their requests here, so the two clients cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from teeckin import models
from teeckin._core import Call

PAGE_SIZE = 100


def _iso(value: date | datetime | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _nothing(body: Any) -> None:
    return None


def me() -> Call[models.AgentMeOutput]:
    return Call.make("GET", "/api/agent/me", models.AgentMeOutput.model_validate)


# --- Topics


def topics_list() -> Call[list[models.TopicRefOutput]]:
    return Call.make(
        "GET", "/api/agent/topics", lambda body: models.AgentTopicsOutput.model_validate(body).topics
    )


def topics_for_agent() -> Call[models.TopicsForAgentOutput]:
    return Call.make("GET", "/api/v1/topics/for-agent", models.TopicsForAgentOutput.model_validate)


# --- The running timer (the simple endpoints: topics by id or fuzzy name)


def timer_start(topic: str, notes: str | None, key: str | None) -> Call[models.AgentTimerStartOutput]:
    body: dict[str, Any] = {"topic": topic}
    if notes is not None:
        body["notes"] = notes
    return Call.make(
        "POST",
        "/api/agent/timer/start",
        models.AgentTimerStartOutput.model_validate,
        json=body,
        idempotency_key=key,
    )


def timer_stop(notes: str | None, key: str | None) -> Call[models.AgentTimerStopOutput]:
    body = {} if notes is None else {"notes": notes}
    return Call.make(
        "POST",
        "/api/agent/timer/stop",
        models.AgentTimerStopOutput.model_validate,
        json=body,
        idempotency_key=key,
    )


def timer_status() -> Call[models.AgentTimerStatusOutput]:
    return Call.make("GET", "/api/agent/timer", models.AgentTimerStatusOutput.model_validate)


def timer_notes(notes: str, key: str | None) -> Call[models.AgentTimerUpdateOutput]:
    return Call.make(
        "PATCH",
        "/api/agent/timer",
        models.AgentTimerUpdateOutput.model_validate,
        json={"notes": notes},
        idempotency_key=key,
    )


def timer_tags(tags: Iterable[str], key: str | None) -> Call[models.AgentTimerTagsOutput]:
    return Call.make(
        "POST",
        "/api/agent/timer/tags",
        models.AgentTimerTagsOutput.model_validate,
        json={"tags": list(tags)},
        idempotency_key=key,
    )


# --- Time entries


def time_entries_page(
    *,
    page: int,
    page_size: int,
    start_date: date | str | None,
    end_date: date | str | None,
    topic_id: str | None,
    tag: str | None,
) -> Call[models.ClockedTimePageOutput]:
    params = {
        "page": page,
        "page_size": page_size,
        "start_date": _iso(start_date),
        "end_date": _iso(end_date),
        "topic_id": topic_id,
        "tag": tag,
    }
    return Call.make(
        "GET", "/api/v1/clocked-times", models.ClockedTimePageOutput.model_validate, params=params
    )


def is_last_page(page: models.ClockedTimePageOutput) -> bool:
    return not page.results or page.page * page.pageSize >= page.count


def time_entry_get(entry_id: str) -> Call[models.ClockedTimeOutput]:
    return Call.make(
        "GET", f"/api/v1/clocked-times/{quote(entry_id, safe='')}", models.ClockedTimeOutput.model_validate
    )


def time_entry_create(
    *,
    topic_id: str,
    start_time: datetime | str,
    end_time: datetime | str,
    notes: str | None,
    tags: Iterable[str] | None,
    key: str | None,
) -> Call[models.ClockedTimeOutput]:
    body: dict[str, Any] = {"topicId": topic_id, "startTime": _iso(start_time), "endTime": _iso(end_time)}
    if notes is not None:
        body["notes"] = notes
    if tags is not None:
        body["tags"] = list(tags)
    return Call.make(
        "POST",
        "/api/v1/clocked-times",
        models.ClockedTimeOutput.model_validate,
        json=body,
        idempotency_key=key,
    )


def time_entry_log(
    *,
    topic: str,
    duration_minutes: int,
    notes: str | None,
    start_time: datetime | str | None,
    key: str | None,
) -> Call[models.AgentTimeOutput]:
    body: dict[str, Any] = {"topic": topic, "duration_minutes": duration_minutes}
    if notes is not None:
        body["notes"] = notes
    if start_time is not None:
        body["start_time"] = _iso(start_time)
    return Call.make(
        "POST", "/api/agent/time", models.AgentTimeOutput.model_validate, json=body, idempotency_key=key
    )


def time_entry_delete(entry_id: str, key: str | None) -> Call[None]:
    return Call.make(
        "DELETE", f"/api/v1/clocked-times/{quote(entry_id, safe='')}", _nothing, idempotency_key=key
    )


# --- Webhooks (need an admin's API key, or a token with the "webhooks" scope)


def webhook_create(
    *, url: str, events: Iterable[str], description: str | None, key: str | None
) -> Call[models.WebhookCreatedOutput]:
    body: dict[str, Any] = {"url": url, "events": list(events)}
    if description is not None:
        body["description"] = description
    return Call.make(
        "POST", "/api/v1/webhooks", models.WebhookCreatedOutput.model_validate, json=body, idempotency_key=key
    )


def webhooks_list() -> Call[list[models.WebhookOutput]]:
    return Call.make(
        "GET", "/api/v1/webhooks", lambda body: models.WebhookListOutput.model_validate(body).webhooks
    )


def webhook_delete(webhook_id: str, key: str | None) -> Call[None]:
    return Call.make(
        "DELETE", f"/api/v1/webhooks/{quote(webhook_id, safe='')}", _nothing, idempotency_key=key
    )
