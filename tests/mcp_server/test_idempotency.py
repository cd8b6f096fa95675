"""Idempotency keys on the MCP write tools, from the ``idempotency_key`` argument or the Idempotency-Key
header of the /mcp request: the REST API's rules and table (apps/idempotency), translated to tool results
and tool errors."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest

from apps.clocked_times.models import ClockedTime
from apps.idempotency.models import IdempotencyKey
from apps.idempotency.services import idempotency_key_claim
from apps.mcp_server import server as mcp_server
from apps.topics.models import Topic
from tests.conftest import requires_postgres
from tests.fixtures.asgi_server import LiveAsgiServer, mcp_call, mcp_session_calls, mcp_token, tool_text
from tests.fixtures.auth import AgentCredentials

pytestmark = pytest.mark.usefixtures("transactional_db")

REPLAYED = "teeckin/idempotentReplayed"


def call(
    server: LiveAsgiServer, credentials: AgentCredentials, *calls: tuple[str, dict], key: str | None = None
) -> list[Any]:
    headers = None if key is None else {"Idempotency-Key": key}
    return mcp_call(server, credentials.client_id, credentials.client_secret, *calls, headers=headers)


def replayed(result: Any) -> bool:
    return bool((result.meta or {}).get(REPLAYED))


def test_a_repeated_call_with_a_key_replays_the_first_result_and_writes_nothing(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, owner: Any, research: Topic, topic: Topic
) -> None:
    start = {"topic": "Research", "notes": "n", "idempotency_key": "start-1"}
    first, again, other_topic, other_tool = call(
        asgi_server,
        owner_agent,
        ("start_timer", start),
        ("start_timer", {**start}),
        ("start_timer", {**start, "topic": "Project Alpha"}),
        ("stop_timer", {"idempotency_key": "start-1"}),
    )
    assert not first.is_error and not replayed(first)
    assert not again.is_error and replayed(again)
    assert again.structured_content == first.structured_content
    assert again.content[0].text == first.content[0].text
    for reused in (other_topic, other_tool):
        assert reused.is_error and "IDEMPOTENCY_KEY_REUSED" in tool_text(reused)
    entry = ClockedTime.objects.get()
    assert entry.pk == first.structured_content["entryId"] and entry.end_time is None
    row = IdempotencyKey.objects.get()
    assert (row.user_id, row.key, row.method, row.path) == (
        owner.pk,
        "start-1",
        "MCP",
        "/mcp/tools/start_timer",
    )
    assert row.organization_id == owner.membership.organization_id and row.lease is None


def test_the_idempotency_key_header_of_the_mcp_request_is_honoured(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic
) -> None:
    log = {"topic": "Research", "minutes": 30, "notes": "review", "start": "2026-11-29T09:00:00Z"}
    first, again, reads = call(
        asgi_server,
        owner_agent,
        ("log_time", log),
        ("log_time", {**log, "idempotency_key": "log-1"}),  # the argument may repeat the header
        ("timer_status", {}),  # reads ignore the key
        key="log-1",
    )
    assert not replayed(first) and replayed(again)
    assert again.structured_content["entryId"] == first.structured_content["entryId"]
    assert not reads.is_error
    # A later session (a client's retry) with the same header: still the recorded result.
    (retried,) = call(asgi_server, owner_agent, ("log_time", log), key="log-1")
    assert replayed(retried) and retried.structured_content == first.structured_content
    (changed,) = call(asgi_server, owner_agent, ("log_time", {**log, "minutes": 31}), key="log-1")
    assert changed.is_error and "IDEMPOTENCY_KEY_REUSED" in tool_text(changed)
    (conflicting,) = call(
        asgi_server, owner_agent, ("log_time", {**log, "idempotency_key": "other"}), key="log-1"
    )
    assert conflicting.is_error and "Idempotency-Key header" in tool_text(conflicting)
    assert ClockedTime.objects.count() == 1


def test_a_refusal_is_recorded_and_replayed_as_the_same_tool_error(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic
) -> None:
    (refused,) = call(asgi_server, owner_agent, ("stop_timer", {"idempotency_key": "stop-1"}))
    assert refused.is_error and "NO_ACTIVE_TIMER" in tool_text(refused)
    started, again = call(
        asgi_server,
        owner_agent,
        ("start_timer", {"topic": "Research"}),
        ("stop_timer", {"idempotency_key": "stop-1"}),
    )
    # Same key, same call: the same answer, although a timer runs now (the key names the call).
    assert not started.is_error
    assert again.is_error and tool_text(again) == tool_text(refused)
    assert ClockedTime.objects.get().end_time is None


def test_a_call_still_running_elsewhere_is_a_retry_later_tool_error(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, owner: Any, research: Topic
) -> None:
    (first,) = call(asgi_server, owner_agent, ("start_timer", {"topic": "Research", "idempotency_key": "k1"}))
    recorded = IdempotencyKey.objects.get(key="k1")
    # The same call under another key, claimed by a request that is running right now in another process.
    idempotency_key_claim(
        organization=owner.membership.organization,
        user=owner,
        key="k2",
        fingerprint=recorded.fingerprint,
        method=recorded.method,
        path=recorded.path,
    )
    (busy,) = call(asgi_server, owner_agent, ("start_timer", {"topic": "Research", "idempotency_key": "k2"}))
    assert busy.is_error and "IDEMPOTENCY_KEY_IN_PROGRESS" in tool_text(busy)
    assert ClockedTime.objects.get().pk == first.structured_content["entryId"]


def test_every_write_tool_takes_a_key(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic
) -> None:
    writes = [
        ("start_timer", {"topic": "Research"}),
        ("update_timer_notes", {"notes": "now this"}),
        ("add_timer_tags", {"tags": ["spike"]}),
        ("stop_timer", {"notes": "done"}),
        ("log_time", {"topic": "Research", "minutes": 5}),
    ]
    keyed = [(name, {**arguments, "idempotency_key": f"k-{name}"}) for name, arguments in writes]
    results = call(asgi_server, owner_agent, *keyed, *keyed)
    first, second = results[:5], results[5:]
    assert not any(result.is_error for result in results), [tool_text(r) for r in results if r.is_error]
    assert all(replayed(result) for result in second) and not any(replayed(result) for result in first)
    assert [r.structured_content for r in second] == [r.structured_content for r in first]
    assert ClockedTime.objects.count() == 2  # the timer and the logged entry, each once
    assert IdempotencyKey.objects.count() == 5


def test_keys_are_shared_with_the_rest_api_per_user_and_organization(
    asgi_server: LiveAsgiServer,
    owner_agent: AgentCredentials,
    teammate_agent: AgentCredentials,
    outsider_agent: AgentCredentials,
    research: Topic,
    outsider_topic: Topic,
) -> None:
    rest_token = mcp_token(asgi_server, owner_agent.client_id, owner_agent.client_secret, resource=None)
    rest = httpx2.post(
        asgi_server.url + "/api/agent/timer/start",
        json={"topic": "Research"},
        headers={"Authorization": f"Bearer {rest_token}", "Idempotency-Key": "shared"},
    )
    assert rest.status_code == 201
    start = ("start_timer", {"topic": "Research", "idempotency_key": "shared"})
    (mine,) = call(asgi_server, owner_agent, start)
    assert mine.is_error and "IDEMPOTENCY_KEY_REUSED" in tool_text(mine)  # one table: another request
    (teammates,) = call(asgi_server, teammate_agent, start)
    assert not teammates.is_error and not replayed(teammates)
    # The outsider's organization has no Research: its own refusal, never the owner's recorded answer.
    (outsiders,) = call(asgi_server, outsider_agent, start)
    assert outsiders.is_error and "TOPIC_NOT_FOUND" in tool_text(outsiders)
    assert rest.json()["clockedTimeId"] not in tool_text(outsiders)
    assert ClockedTime.objects.count() == 2


def test_bad_keys_and_rate_limited_calls_claim_nothing(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic, settings: Any
) -> None:
    settings.RATELIMITS = {
        **settings.RATELIMITS,
        "BUCKETS": {**settings.RATELIMITS["BUCKETS"], "timer": "1/m"},
    }
    too_long, non_ascii, started, limited = call(
        asgi_server,
        owner_agent,
        ("start_timer", {"topic": "Research", "idempotency_key": "x" * 256}),
        ("start_timer", {"topic": "Research", "idempotency_key": "caf\u00e9"}),
        ("start_timer", {"topic": "Research", "idempotency_key": "ok"}),
        ("stop_timer", {"idempotency_key": "limited"}),
    )
    for refusal in (too_long, non_ascii):
        assert refusal.is_error and "INVALID_IDEMPOTENCY_KEY" in tool_text(refusal)
    assert not started.is_error
    assert limited.is_error and "Rate limit exceeded" in tool_text(limited)
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["ok"]
    assert ClockedTime.objects.get().end_time is None


def test_an_unexpected_error_releases_the_key_so_a_retry_runs(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic, monkeypatch: Any
) -> None:
    real_start = mcp_server.timer.timer_start

    def broken_start(**kwargs: Any) -> Any:
        real_start(**kwargs)  # the write happens, then the tool fails: it must not stay written
        raise RuntimeError("the disk caught fire")

    monkeypatch.setattr(mcp_server.timer, "timer_start", broken_start)
    start = ("start_timer", {"topic": "Research", "idempotency_key": "k-500"})
    (failed,) = call(asgi_server, owner_agent, start)
    assert failed.is_error
    assert not ClockedTime.objects.exists() and not IdempotencyKey.objects.exists()

    monkeypatch.setattr(mcp_server.timer, "timer_start", real_start)
    (retried,) = call(asgi_server, owner_agent, start)
    assert not retried.is_error and not replayed(retried)
    assert ClockedTime.objects.count() == 1


@requires_postgres  # the claim's unique row decides between racing calls
def test_concurrent_calls_with_one_key_run_once(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic
) -> None:
    access_token = mcp_token(
        asgi_server, owner_agent.client_id, owner_agent.client_secret, asgi_server.mcp_url
    )
    start = ("start_timer", {"topic": "Research", "idempotency_key": "one-key"})
    results: list[Any] = []

    async def session() -> None:
        _, _, (result,) = await mcp_session_calls(asgi_server, access_token, [start])
        results.append(result)

    async def together() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(session)

    anyio.run(together)
    entry = ClockedTime.objects.get()
    done = [result for result in results if not result.is_error]
    busy = [result for result in results if result.is_error]
    assert len([result for result in done if not replayed(result)]) == 1
    assert {result.structured_content["entryId"] for result in done} == {entry.pk}
    assert all("IDEMPOTENCY_KEY_IN_PROGRESS" in tool_text(result) for result in busy)
