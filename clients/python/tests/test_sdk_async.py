"""``AsyncTeeckin`` against the live server: the same calls, awaited."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from teeckin import AsyncTeeckin, NoActiveTimerError, TopicNotFoundError

from tests.conftest import make_hourly_entries


def test_the_async_client_tracks_time_and_iterates_pages(server, credentials, owner, topics):
    make_hourly_entries(owner, topics["alpha"], datetime(2026, 1, 5, 9, tzinfo=UTC), 25)

    async def session() -> None:
        async with AsyncTeeckin(
            base_url=server, client_id=credentials.client_id, client_secret=credentials.client_secret
        ) as sdk:
            assert [topic.name for topic in await sdk.topics.list()][-1] == "Research"
            started = await sdk.timer.start(topic="resarch", notes="async")
            assert started.topic.id == topics["research"].id
            assert (await sdk.timer.status()).clockedTimeId == started.clockedTimeId
            assert (await sdk.timer.stop()).clockedTimeId == started.clockedTimeId
            with pytest.raises(NoActiveTimerError):
                await sdk.timer.stop()
            with pytest.raises(TopicNotFoundError):
                await sdk.timer.start(topic="Quarterly taxes")
            ids = [entry.id async for entry in sdk.time_entries.list(page_size=10)]
            assert len(ids) == 26 and len(set(ids)) == 26

    asyncio.run(session())
