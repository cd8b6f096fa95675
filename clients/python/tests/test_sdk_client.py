"""The sync client against a live server: credentials, tokens, the timer, time entries and errors."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken
from teeckin import (
    AuthenticationError,
    MemoryTokenStore,
    NoActiveTimerError,
    NotFoundError,
    PermissionDeniedError,
    Token,
    TopicAmbiguousError,
    TopicNotFoundError,
    ValidationError,
    models,
)

from apps.agents.services import agent_deactivate
from apps.clocked_times.models import ClockedTime
from tests.conftest import make_hourly_entries, make_topic


def test_a_timer_round_trip_with_client_credentials(client, topics):
    started = client.timer.start(topic="Research", notes="Reading the RFC")
    assert isinstance(started, models.AgentTimerStartOutput)
    assert started.started and started.topic.id == topics["research"].id and started.stopped is None

    status = client.timer.status()
    assert status.running and status.clockedTimeId == started.clockedTimeId and status.elapsedMinutes == 0
    assert client.timer.notes("Reading RFC 6749").updated
    assert sorted(client.timer.tags(["spec", "reading"]).tags) == ["reading", "spec"]

    stopped = client.timer.stop()
    assert stopped.stopped and stopped.clockedTimeId == started.clockedTimeId
    entry = ClockedTime.objects.get(pk=started.clockedTimeId)
    assert entry.end_time is not None and entry.notes == "Reading RFC 6749" and entry.agent is not None
    assert not client.timer.status().running


def test_a_misspelt_topic_is_matched_and_a_wrong_one_raises_with_candidates(client, topics):
    assert client.timer.start(topic="reserch").topic.name == "Research"
    with pytest.raises(TopicNotFoundError) as refused:
        client.timer.start(topic="Quarterly taxes")
    assert refused.value.status_code == 404 and refused.value.code == "TOPIC_NOT_FOUND"
    with pytest.raises(TopicAmbiguousError) as ambiguous:
        client.timer.start(topic="project")
    assert {c["name"] for c in ambiguous.value.candidates} >= {"Project Alpha", "Project Beta"}
    assert ambiguous.value.code == "TOPIC_AMBIGUOUS" and ambiguous.value.message


def test_errors_raise_the_class_of_their_code_family(client, make_client, topics, credentials):
    with pytest.raises(NoActiveTimerError) as no_timer:
        client.timer.stop()
    assert isinstance(no_timer.value, NotFoundError) and no_timer.value.code == "NO_ACTIVE_TIMER"

    with pytest.raises(ValidationError) as invalid:
        client.time_entries.log(topic="Research", duration_minutes=0)
    assert invalid.value.status_code == 400 and "duration_minutes" in invalid.value.details

    with pytest.raises(NotFoundError) as missing:
        client.time_entries.get("ct-doesnotexist")
    assert missing.value.code == "CLOCKED_TIME_NOT_FOUND"

    with pytest.raises(AuthenticationError) as wrong_secret:
        make_client(client_id=credentials.client_id, client_secret="tcs_wrong").topics.list()
    assert wrong_secret.value.code == "invalid_client" and wrong_secret.value.status_code == 401

    agent_deactivate(agent=credentials.agent)
    with pytest.raises(PermissionDeniedError) as deactivated:
        client.topics.list()
    assert deactivated.value.code == "AGENT_DEACTIVATED"


def test_the_token_is_fetched_once_and_reused(client, topics, credentials):
    assert [t.name for t in client.topics.list()] == ["Project Alpha", "Project Beta", "Research"]
    client.timer.status()
    client.me()
    assert AccessToken.objects.filter(application=credentials.agent).count() == 1


def test_a_token_about_to_expire_is_renewed_before_it_is_sent(make_client, credentials, topics):
    store = MemoryTokenStore()
    sdk = make_client(
        client_id=credentials.client_id, client_secret=credentials.client_secret, token_store=store
    )
    sdk.topics.list()
    first = store.load()
    assert first is not None and first.expires_at > time.time() + 3000
    # The caller's clock says the token has 30 s left: under the renewal margin, so a new one is fetched
    # before the request, and the old one is never sent again.
    sdk.options.clock = lambda: first.expires_at - 30
    sdk.topics.list()
    second = store.load()
    assert second.access_token != first.access_token
    assert AccessToken.objects.filter(application=credentials.agent).count() == 2


def test_a_token_the_server_expired_is_renewed_once_on_401(client, credentials, topics):
    client.topics.list()
    # The server ends the token early (its hour is up, or it was pruned); the client still thinks it good.
    AccessToken.objects.filter(application=credentials.agent).update(
        expires=timezone.now() - timedelta(seconds=1)
    )
    assert client.timer.start(topic="Research").started
    assert AccessToken.objects.filter(application=credentials.agent).count() == 2


def test_a_caller_supplied_token_store_is_used_and_updated(make_client, credentials, topics):
    store = MemoryTokenStore()
    store.save(Token(access_token="tat_stale", expires_at=time.time() + 3600))
    sdk = make_client(
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        token_store=store,
        timeout=5,
    )
    assert sdk.topics.list()  # the stale token gets a 401, a new one is fetched and stored
    assert store.load().access_token.startswith("tat_") and store.load().access_token != "tat_stale"


def test_an_api_key_works_without_a_token(make_client, api_key, topics):
    sdk = make_client(api_key=api_key)
    assert sdk.me().agent is None
    assert sdk.timer.start(topic="alpha").topic.name == "Project Alpha"
    assert AccessToken.objects.count() == 0


def test_time_entries_pages_are_iterated_until_the_last(client, owner, topics):
    make_hourly_entries(owner, topics["research"], datetime(2026, 1, 5, 9, tzinfo=UTC), 230)
    entries = list(client.time_entries.list(page_size=100))
    assert len(entries) == 230 and len({e.id for e in entries}) == 230
    assert all(isinstance(e, models.ClockedTimeOutput) for e in entries)
    assert entries[0].startTime > entries[-1].startTime  # newest first, across page boundaries

    first_day = list(client.time_entries.list(start_date="2026-01-05", end_date=datetime(2026, 1, 5).date()))
    assert len(first_day) == 15  # 09:00 to 23:00


def test_time_entries_create_and_log(client, topics):
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    created = client.time_entries.create(
        topic_id=topics["alpha"].id, start_time=end - timedelta(minutes=45), end_time=end, tags=["review"]
    )
    assert created.duration == 45 and created.tags == ["review"] and created.type == "manual"
    logged = client.time_entries.log(topic="research", duration_minutes=30, notes="Code review")
    assert logged.logged and logged.duration == 30
    assert {e.id for e in client.time_entries.list()} == {created.id, logged.id}
    client.time_entries.delete(created.id)
    assert [e.id for e in client.time_entries.list()] == [logged.id]


def test_another_organizations_ids_are_not_found(client, globex, outsider):
    secret_topic = make_topic(globex, "Globex Secret Project")
    with pytest.raises(TopicNotFoundError):
        client.timer.start(topic=secret_topic.id)
    with pytest.raises(TopicNotFoundError):
        client.time_entries.create(
            topic_id=secret_topic.id,
            start_time=datetime(2026, 1, 5, 9, tzinfo=UTC),
            end_time=datetime(2026, 1, 5, 10, tzinfo=UTC),
        )
