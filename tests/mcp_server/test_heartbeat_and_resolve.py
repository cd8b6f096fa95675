"""The heartbeat and resolve_topic tools through the SDK's client against the live server: the same
services and rate-limit buckets as POST /api/agent/timer/heartbeat and GET /api/agent/topics/resolve,
and nothing of another organization."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from apps.clocked_times.models import ClockedTime
from apps.idempotency.models import IdempotencyKey
from apps.topics.models import Topic, TopicRepository
from tests.conftest import make_topic
from tests.fixtures.asgi_server import LiveAsgiServer, mcp_call, mcp_token, tool_text
from tests.fixtures.auth import AgentCredentials

pytestmark = pytest.mark.usefixtures("transactional_db")


def call(server: LiveAsgiServer, credentials: AgentCredentials, *calls: tuple[str, dict]) -> list[Any]:
    return mcp_call(server, credentials.client_id, credentials.client_secret, *calls)


def with_buckets(settings: Any, **rates: str) -> None:
    settings.RATELIMITS = {**settings.RATELIMITS, "BUCKETS": {**settings.RATELIMITS["BUCKETS"], **rates}}


# --- heartbeat ----------------------------------------------------------------------------------------------


def test_heartbeat_answers_whether_the_timer_runs_and_records_it(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic
) -> None:
    idle, started, beat, other_session, after_stop = call(
        asgi_server,
        owner_agent,
        ("heartbeat", {}),
        ("start_timer", {"topic": "Research", "session": "s-1"}),
        ("heartbeat", {"session": "s-1"}),
        ("heartbeat", {"session": "s-2"}),
        ("stop_timer", {"session": "s-1"}),
    )
    assert not idle.is_error and idle.structured_content["running"] is False
    entry = ClockedTime.objects.get(pk=started.structured_content["entryId"])
    assert beat.structured_content["running"] is True
    assert beat.structured_content["entryId"] == entry.pk
    assert entry.last_heartbeat_at is not None
    assert beat.structured_content["lastHeartbeatAt"] == entry.last_heartbeat_at.isoformat().replace(
        "+00:00", "Z"
    )
    # Another session is another tracker: it has no timer, and the first one's is not touched.
    assert other_session.structured_content == {"running": False, "entryId": None, "lastHeartbeatAt": None}
    assert not after_stop.is_error
    (stopped,) = call(asgi_server, owner_agent, ("heartbeat", {"session": "s-1"}))
    assert stopped.structured_content["running"] is False


def test_heartbeats_count_in_their_own_bucket_only(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic, settings: Any
) -> None:
    with_buckets(settings, heartbeat="3/m", timer="2/m", write="2/m")
    results = call(
        asgi_server,
        owner_agent,
        ("start_timer", {"topic": "Research"}),
        *[("heartbeat", {})] * 4,
        ("stop_timer", {}),
    )
    start, beats, stop = results[0], results[1:5], results[5]
    assert not start.is_error
    assert [beat.is_error for beat in beats] == [False, False, False, True]
    assert "Rate limit exceeded" in tool_text(beats[3]) and "'heartbeat'" in tool_text(beats[3])
    # Four heartbeats used none of the timer and write buckets (2 each): the stop still passes.
    assert not stop.is_error and stop.structured_content["stopped"] is True


# --- resolve_topic ------------------------------------------------------------------------------------------


@pytest.fixture
def catalog(org: Any, topic: Topic, research: Topic) -> dict[str, Topic]:
    return {
        "Project Alpha": topic,
        "Research": research,
        "Client Alpha": make_topic(org, "Client Alpha"),
        "Client Alpho": make_topic(org, "Client Alpho"),
        "Legacy Migration": make_topic(org, "Legacy Migration", "Internal", archived=True),
    }


def test_resolve_topic_answers_as_the_rest_resolver_and_writes_nothing(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, catalog: dict[str, Topic]
) -> None:
    queries = [
        "researc",
        "Client Alph",
        "quantum basket weaving",
        catalog["Project Alpha"].id,
        "Legacy Migration",
    ]
    results = call(asgi_server, owner_agent, *[("resolve_topic", {"topic": query}) for query in queries])
    rest_token = mcp_token(asgi_server, owner_agent.client_id, owner_agent.client_secret, resource=None)
    for query, result in zip(queries, results, strict=True):
        assert not result.is_error, tool_text(result)
        rest = httpx2.get(
            asgi_server.url + "/api/agent/topics/resolve",
            params={"q": query},
            headers={"Authorization": f"Bearer {rest_token}"},
        ).json()
        mcp = result.structured_content
        for field in ("query", "resolved", "topic", "rule", "score", "candidates"):
            assert mcp[field] == rest[field], (query, field)
        assert (mcp["error"] is None) == (rest["error"] is None)
        if rest["error"] is not None:
            assert mcp["error"]["code"] == rest["error"]["code"]
    research, ambiguous, unknown, by_id, archived = (result.structured_content for result in results)
    assert research["resolved"] and research["topic"]["name"] == "Research"
    assert by_id["topic"]["name"] == "Project Alpha"
    assert ambiguous["error"]["code"] == "TOPIC_AMBIGUOUS"
    # The error names the candidates as the tool errors of start_timer do, so a model can pick one.
    assert "Client Alpha (category Client Work" in ambiguous["error"]["message"]
    assert "Client Alpho (category Client Work" in ambiguous["error"]["message"]
    assert unknown["resolved"] is False and unknown["error"]["code"] == "TOPIC_NOT_FOUND"
    assert archived["resolved"] is False and "archived" in archived["error"]["message"]
    assert not ClockedTime.objects.exists() and not IdempotencyKey.objects.exists()


def test_resolve_topic_by_repository_and_its_refusals(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, org: Any, catalog: dict[str, Topic]
) -> None:
    TopicRepository.objects.create(organization=org, topic=catalog["Research"], pattern="acme/*")
    bound, neither, both = call(
        asgi_server,
        owner_agent,
        ("resolve_topic", {"repository": "git@github.com:Acme/web.git"}),
        ("resolve_topic", {}),
        ("resolve_topic", {"topic": "Research", "repository": "acme/web"}),
    )
    assert bound.structured_content["resolved"] is True
    assert bound.structured_content["topic"]["name"] == "Research"
    assert bound.structured_content["rule"] == "repository-glob"
    assert bound.structured_content["bindings"] == [{"pattern": "acme/*", "topicId": catalog["Research"].id}]
    assert neither.is_error and both.is_error and "exactly one" in tool_text(neither)


def test_resolve_topic_counts_as_a_read(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, research: Topic, settings: Any
) -> None:
    with_buckets(settings, read="2/m", write="1/m")
    first, second, third = call(asgi_server, owner_agent, *[("resolve_topic", {"topic": "Research"})] * 3)
    assert not first.is_error and not second.is_error
    assert third.is_error and "'read'" in tool_text(third)


def test_resolve_topic_sees_nothing_of_another_organization(
    asgi_server: LiveAsgiServer,
    outsider_agent: AgentCredentials,
    catalog: dict[str, Topic],
    outsider_topic: Topic,
) -> None:
    by_id, by_name, own = call(
        asgi_server,
        outsider_agent,
        ("resolve_topic", {"topic": catalog["Project Alpha"].id}),
        ("resolve_topic", {"topic": "Research"}),
        ("resolve_topic", {"topic": "Globex Secret"}),
    )
    for result in (by_id, by_name):
        content = result.structured_content
        assert content["resolved"] is False and content["topic"] is None
        assert {candidate["name"] for candidate in content["candidates"]} <= {"Globex Secret Project"}
        assert "Research" not in content["error"]["message"].replace("'Research'", "")
        assert "Project Alpha" not in str(content)
    assert own.structured_content["topic"]["name"] == "Globex Secret Project"


def test_start_and_log_refusals_list_the_resolvers_candidates(
    asgi_server: LiveAsgiServer, owner_agent: AgentCredentials, catalog: dict[str, Topic]
) -> None:
    resolved, started, logged, archived = call(
        asgi_server,
        owner_agent,
        ("resolve_topic", {"topic": "Client Alph"}),
        ("start_timer", {"topic": "Client Alph"}),
        ("log_time", {"topic": "Client Alph", "minutes": 5}),
        ("start_timer", {"topic": "Legacy Migration"}),
    )
    assert started.is_error and logged.is_error
    for refusal in (started, logged):
        assert "TOPIC_AMBIGUOUS" in tool_text(refusal)
        for candidate in resolved.structured_content["candidates"]:
            listed = f"{candidate['name']} (category {candidate['category']}, id {candidate['id']}, score "
            assert listed in tool_text(refusal)
    assert (
        archived.is_error and "archived" in tool_text(archived) and "TOPIC_NOT_FOUND" in tool_text(archived)
    )
    assert not ClockedTime.objects.exists()
