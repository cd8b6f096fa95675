"""Idempotency-Key on every write of the API, through the real endpoints with real tokens."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connections
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from apps.clocked_times.models import ClockedTime
from apps.idempotency.models import IdempotencyKey
from apps.idempotency.services import idempotency_key_claim, request_fingerprint
from apps.idempotency.tasks import idempotency_keys_prune
from apps.idempotency.views import IdempotentWrites
from apps.timer.api import views as timer_views
from apps.topics.models import Topic
from tests.api.helpers import assert_documented, published_schema
from tests.conftest import requires_postgres
from tests.fixtures.auth import AgentCredentials, api_client_for, issue_token

START = "/api/agent/timer/start"
STOP = "/api/agent/timer/stop"


def start(client: APIClient, key: str | None, body: dict[str, Any]) -> Any:
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
    return client.post(START, body, format="json", **headers)


def test_a_repeat_replays_the_first_answer_and_writes_nothing(owner_api, owner, topic):
    key = str(uuid.uuid4())
    first = start(owner_api, key, {"topic": "Project Alpha", "notes": "review"})
    again = start(owner_api, key, {"notes": "review", "topic": "Project Alpha"})  # key order is irrelevant

    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert again.json()["clockedTimeId"] == first.json()["clockedTimeId"]
    assert ClockedTime.objects.filter(user=owner).count() == 1
    assert_documented(again)


def test_without_a_key_every_request_runs(owner_api, owner, topic):
    start(owner_api, None, {"topic": "Project Alpha"})
    start(owner_api, None, {"topic": "Project Alpha"})
    assert ClockedTime.objects.filter(user=owner).count() == 2


def test_the_same_key_with_another_body_is_422(owner_api, owner, topic, research):
    key = "retry-me"
    assert start(owner_api, key, {"topic": "Project Alpha"}).status_code == 201
    reused = start(owner_api, key, {"topic": "Research"})

    assert reused.status_code == 422
    assert reused.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert reused.json()["details"] == {"method": "POST", "path": START}
    assert ClockedTime.objects.filter(user=owner).count() == 1
    assert_documented(reused)


def test_the_same_key_on_another_endpoint_is_422(owner_api, topic):
    assert start(owner_api, "k1", {"topic": "Project Alpha"}).status_code == 201
    reused = owner_api.post(STOP, {}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert reused.status_code == 422
    assert ClockedTime.objects.get().end_time is None  # the stop did not run


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "caf\u00e9", "line\nbreak"])
def test_malformed_keys_are_400_and_nothing_is_written(owner_api, owner, topic, key):
    response = start(owner_api, key, {"topic": "Project Alpha"})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_IDEMPOTENCY_KEY"
    assert not ClockedTime.objects.filter(user=owner).exists()
    assert not IdempotencyKey.objects.exists()


def test_a_255_character_key_and_the_drafts_quoted_form_are_accepted(owner_api, owner, topic):
    long_key = "~" * 255
    assert start(owner_api, long_key, {"topic": "Project Alpha"}).status_code == 201
    # A structured-field string ("…") is the same key as the bare value.
    quoted = start(owner_api, '"abc 123"', {"topic": "Project Alpha"})
    bare = start(owner_api, "abc 123", {"topic": "Project Alpha"})
    assert bare["Idempotent-Replayed"] == "true"
    assert bare.json() == quoted.json()
    assert ClockedTime.objects.filter(user=owner).count() == 2


def test_keys_belong_to_their_user_and_organization(owner_api, teammate_api, outsider_api, topic):
    key = "shared-key"
    mine = start(owner_api, key, {"topic": "Project Alpha"})
    teammates = start(teammate_api, key, {"topic": "Project Alpha"})
    outsiders = start(outsider_api, key, {"topic": "Project Alpha"})

    assert mine.status_code == teammates.status_code == 201
    assert "Idempotent-Replayed" not in teammates
    assert teammates.json()["clockedTimeId"] != mine.json()["clockedTimeId"]
    # The outsider's organization has no such topic: its own answer, not the owner's recorded one.
    assert outsiders.status_code == 404
    assert "Idempotent-Replayed" not in outsiders
    assert ClockedTime.objects.count() == 2


def test_a_refusal_is_recorded_and_replayed(owner_api, topic):
    key = "stop-1"
    refused = owner_api.post(STOP, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 404
    start(owner_api, None, {"topic": "Project Alpha"})
    # Same key, same request: the same answer, even though a timer now runs (the key names the request).
    again = owner_api.post(STOP, {}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 404
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == refused.json()
    assert ClockedTime.objects.get().end_time is None


def test_a_delete_replays_its_204(owner_api, owner, topic):
    entry_id = start(owner_api, None, {"topic": "Project Alpha"}).json()["clockedTimeId"]
    owner_api.post(STOP, {}, format="json")
    url = f"/api/v1/clocked-times/{entry_id}"
    first = owner_api.delete(url, HTTP_IDEMPOTENCY_KEY="del-1")
    again = owner_api.delete(url, HTTP_IDEMPOTENCY_KEY="del-1")
    assert first.status_code == again.status_code == 204
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == b""
    assert owner_api.delete(url, HTTP_IDEMPOTENCY_KEY="del-2").status_code == 404


def test_a_malformed_body_claims_no_key(owner_api, topic):
    bad = owner_api.post(START, "{not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 400
    assert start(owner_api, "k", {"topic": "Project Alpha"}).status_code == 201


def test_an_unexpected_error_releases_the_key_so_a_retry_runs(owner_agent, owner, topic, monkeypatch):
    client = api_client_for(owner_agent)
    client.raise_request_exception = False
    real_start = timer_views.services.timer_start

    def broken_start(**kwargs: Any) -> Any:
        real_start(**kwargs)  # the write happens, then the view fails: it must not stay written
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(timer_views.services, "timer_start", broken_start)
    failed = start(client, "k-500", {"topic": "Project Alpha"})
    assert failed.status_code == 500
    assert failed.json()["code"] == "INTERNAL_ERROR"
    assert not ClockedTime.objects.exists()  # rolled back with the claim's transaction
    assert not IdempotencyKey.objects.exists()  # released: not cached

    monkeypatch.setattr(timer_views.services, "timer_start", real_start)
    retried = start(client, "k-500", {"topic": "Project Alpha"})
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert ClockedTime.objects.count() == 1


def _claim_elsewhere(owner: Any, key: str, body: dict[str, Any]) -> None:
    """A request with ``key`` that is running right now in another process."""
    idempotency_key_claim(
        organization=owner.membership.organization,
        user=owner,
        key=key,
        fingerprint=request_fingerprint(method="POST", path=START, data=body),
        method="POST",
        path=START,
    )


def test_a_repeat_while_the_first_runs_is_409_with_retry_after(owner_api, owner, topic):
    body = {"topic": "Project Alpha"}
    _claim_elsewhere(owner, "busy", body)
    busy = start(owner_api, "busy", body)
    assert busy.status_code == 409
    assert busy.json()["code"] == "IDEMPOTENCY_KEY_IN_PROGRESS"
    assert busy["Retry-After"] == "1"
    assert not ClockedTime.objects.exists()
    assert_documented(busy)


def test_a_claim_abandoned_past_its_lease_is_taken_over(owner_api, owner, topic, settings):
    body = {"topic": "Project Alpha"}
    _claim_elsewhere(owner, "crashed", body)
    with time_machine.travel(timezone.now() + settings.IDEMPOTENCY_LEASE + timedelta(seconds=1)):
        taken = start(owner_api, "crashed", body)
    assert taken.status_code == 201
    assert ClockedTime.objects.count() == 1


def test_keys_expire_after_a_day_and_the_beat_job_prunes_them(owner_api, owner, topic, settings):
    assert "idempotency-keys-prune" in settings.CELERY_BEAT_SCHEDULE
    start(owner_api, "old", {"topic": "Project Alpha"})
    later = timezone.now() + settings.IDEMPOTENCY_KEY_TTL + timedelta(minutes=1)
    with time_machine.travel(later):
        start(owner_api, "new", {"topic": "Project Alpha"})
        # Expired but not yet pruned: the key is free again, the request runs.
        again = start(owner_api, "old", {"topic": "Project Alpha"})
        assert "Idempotent-Replayed" not in again
        assert ClockedTime.objects.count() == 3
        with time_machine.travel(later + settings.IDEMPOTENCY_KEY_TTL - timedelta(minutes=1)):
            assert idempotency_keys_prune() == 0
        with time_machine.travel(later + settings.IDEMPOTENCY_KEY_TTL + timedelta(minutes=1)):
            assert idempotency_keys_prune() == 2
    assert not IdempotencyKey.objects.exists()


@requires_postgres  # threads with their own connections, serialised by the unique index
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_starts_with_one_key_run_once(
    owner_agent: AgentCredentials, owner: Any, topic: Topic, settings: Any
) -> None:
    settings.RATELIMIT_ENABLE = False  # 20 starts would exceed the timer bucket; limits are not tested here
    authorization = f"Bearer {issue_token(owner_agent)}"
    clients = [APIClient(HTTP_AUTHORIZATION=authorization) for _ in range(20)]
    barrier = threading.Barrier(20)

    def send(client: APIClient) -> Any:
        try:
            barrier.wait()
            return start(client, "one-key", {"topic": "Project Alpha"})
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, clients))

    assert ClockedTime.objects.filter(user=owner).count() == 1
    entry_id = ClockedTime.objects.get(user=owner).pk
    executed = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a]
    replayed = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" in a]
    waiting = [a for a in answers if a.status_code == 409]
    assert len(executed) == 1
    assert len(executed) + len(replayed) + len(waiting) == 20
    assert {a.json()["clockedTimeId"] for a in executed + replayed} == {entry_id}
    assert {a.json()["code"] for a in waiting} <= {"IDEMPOTENCY_KEY_IN_PROGRESS"}
    # Every one of them, retried now, gets the recorded answer.
    assert start(clients[0], "one-key", {"topic": "Project Alpha"}).json()["clockedTimeId"] == entry_id


def _api_views() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def walk(patterns: list[Any], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
                found.append((prefix + str(pattern.pattern), view))

    walk(get_resolver().url_patterns, "")
    return found


def test_every_write_endpoint_of_the_api_takes_the_header():
    writes = [
        (route, view)
        for route, view in _api_views()
        if route.startswith("api/")
        and view is not None
        and any(hasattr(view, m) for m in ("post", "put", "patch", "delete"))
    ]
    assert len(writes) > 10
    # OAuth endpoints answer with credentials, which must not be stored: see apps/idempotency/views.py.
    missing = [route for route, view in writes if not issubclass(view, IdempotentWrites)]
    assert all(route.startswith("api/oauth/") for route in missing), missing


def test_the_schema_documents_the_header_on_every_write(db):
    schema = published_schema()
    writes = [
        (path, method, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert len(writes) > 10
    parameter = schema["components"]["parameters"]["IdempotencyKey"]
    assert (parameter["name"], parameter["in"], parameter["required"]) == ("Idempotency-Key", "header", False)
    for path, method, operation in writes:
        refs = [p.get("$ref") for p in operation.get("parameters", [])]
        assert "#/components/parameters/IdempotencyKey" in refs, (method, path)
        assert "422" in operation["responses"], (method, path)
        assert "IDEMPOTENCY_KEY_IN_PROGRESS" in operation["responses"]["409"]["description"]
    reads = [op for ops in schema["paths"].values() for m, op in ops.items() if m == "get"]
    assert all(
        "#/components/parameters/IdempotencyKey" not in [p.get("$ref") for p in op.get("parameters", [])]
        for op in reads
    )
