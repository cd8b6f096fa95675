"""``AsyncTeeckin``: the asyncio client. Same options, resources and behaviour as ``Teeckin``; every
request and its answer are defined in ``_calls`` and ``_core``, only sending and waiting differ."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Mapping
from datetime import date, datetime
from typing import Any, TypeVar

import httpx

from teeckin import _calls, models
from teeckin._core import (
    Call,
    Options,
    Token,
    TokenStore,
    api_key_headers,
    bearer_headers,
    is_token_rejection,
    parse_answer,
    status_retry_delay,
    token_call,
    transport_retry_delay,
    webhook_secret_of,
)
from teeckin.errors import TransportError
from teeckin.webhooks import DEFAULT_TOLERANCE_SECONDS, verify_webhook

T = TypeVar("T")


class AsyncTeeckin:
    """The asyncio twin of ``Teeckin`` (see its docstring); use ``async with`` or ``await client.close()``."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        scope: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        max_retries: int | None = None,
        max_retry_wait: float | None = None,
        token_store: TokenStore | None = None,
        http_client: httpx.AsyncClient | None = None,
        **options: Any,
    ) -> None:
        self.options = Options.build(
            base_url=base_url,
            api_key=api_key,
            client_id=client_id,
            client_secret=client_secret,
            scope=scope,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            token_store=token_store,
            **options,
        )
        self._own_http = http_client is None
        self._http = http_client or httpx.AsyncClient()
        self._token_lock = asyncio.Lock()
        self.topics = AsyncTopics(self)
        self.timer = AsyncTimer(self)
        self.time_entries = AsyncTimeEntries(self)
        self.webhooks = AsyncWebhooks(self)

    async def __aenter__(self) -> AsyncTeeckin:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def me(self) -> models.AgentMeOutput:
        return await self.request(_calls.me())

    async def _auth_headers(self) -> dict[str, str]:
        if not self.options.uses_token:
            return api_key_headers(self.options)
        return bearer_headers(await self._token())

    async def _token(self, *, renew: bool = False) -> Token:
        store, options = self.options.token_store, self.options
        async with self._token_lock:
            token = store.load()
            if renew or token is None or not token.usable(now=options.clock(), margin=options.renew_margin):
                token = await self.request(token_call(options))
                store.save(token)
            return token

    async def request(self, call: Call[T]) -> T:
        """Send ``call`` with its retries and return its parsed answer (or raise its ``APIError``)."""
        attempt, renewed = 0, False
        while True:
            headers = await self._auth_headers() if call.authenticated else {}
            try:
                response = await self._http.request(**call.request_kwargs(self.options, headers))
            except httpx.TransportError as exc:
                delay = transport_retry_delay(self.options, attempt)
                if delay is None:
                    raise TransportError(f"{call.method} {call.path}: {exc}") from exc
                await asyncio.sleep(delay)
                attempt += 1
                continue
            if not renewed and is_token_rejection(call, response, self.options):
                await self._token(renew=True)
                renewed = True
                continue
            delay = status_retry_delay(response, self.options, attempt)
            if delay is None:
                return parse_answer(call, response)
            await asyncio.sleep(delay)
            attempt += 1


class _AsyncResource:
    def __init__(self, client: AsyncTeeckin) -> None:
        self._client = client


class AsyncTopics(_AsyncResource):
    async def list(self) -> list[models.TopicRefOutput]:
        return await self._client.request(_calls.topics_list())

    async def for_agent(self) -> models.TopicsForAgentOutput:
        return await self._client.request(_calls.topics_for_agent())


class AsyncTimer(_AsyncResource):
    async def start(
        self, *, topic: str, notes: str | None = None, idempotency_key: str | None = None
    ) -> models.AgentTimerStartOutput:
        return await self._client.request(_calls.timer_start(topic, notes, idempotency_key))

    async def stop(
        self, *, notes: str | None = None, idempotency_key: str | None = None
    ) -> models.AgentTimerStopOutput:
        return await self._client.request(_calls.timer_stop(notes, idempotency_key))

    async def status(self) -> models.AgentTimerStatusOutput:
        return await self._client.request(_calls.timer_status())

    async def notes(self, notes: str, *, idempotency_key: str | None = None) -> models.AgentTimerUpdateOutput:
        return await self._client.request(_calls.timer_notes(notes, idempotency_key))

    async def tags(
        self, tags: Iterable[str], *, idempotency_key: str | None = None
    ) -> models.AgentTimerTagsOutput:
        return await self._client.request(_calls.timer_tags(tags, idempotency_key))


class AsyncTimeEntries(_AsyncResource):
    async def list(
        self,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        topic_id: str | None = None,
        tag: str | None = None,
        page_size: int = _calls.PAGE_SIZE,
    ) -> AsyncIterator[models.ClockedTimeOutput]:
        """``async for entry in client.time_entries.list(...)``: pages are fetched as you iterate."""
        page = 1
        while True:
            answer = await self._client.request(
                _calls.time_entries_page(
                    page=page,
                    page_size=page_size,
                    start_date=start_date,
                    end_date=end_date,
                    topic_id=topic_id,
                    tag=tag,
                )
            )
            for entry in answer.results:
                yield entry
            if _calls.is_last_page(answer):
                return
            page += 1

    async def get(self, entry_id: str) -> models.ClockedTimeOutput:
        return await self._client.request(_calls.time_entry_get(entry_id))

    async def create(
        self,
        *,
        topic_id: str,
        start_time: datetime | str,
        end_time: datetime | str,
        notes: str | None = None,
        tags: Iterable[str] | None = None,
        idempotency_key: str | None = None,
    ) -> models.ClockedTimeOutput:
        call = _calls.time_entry_create(
            topic_id=topic_id,
            start_time=start_time,
            end_time=end_time,
            notes=notes,
            tags=tags,
            key=idempotency_key,
        )
        return await self._client.request(call)

    async def log(
        self,
        *,
        topic: str,
        duration_minutes: int,
        notes: str | None = None,
        start_time: datetime | str | None = None,
        idempotency_key: str | None = None,
    ) -> models.AgentTimeOutput:
        call = _calls.time_entry_log(
            topic=topic,
            duration_minutes=duration_minutes,
            notes=notes,
            start_time=start_time,
            key=idempotency_key,
        )
        return await self._client.request(call)

    async def delete(self, entry_id: str, *, idempotency_key: str | None = None) -> None:
        await self._client.request(_calls.time_entry_delete(entry_id, idempotency_key))


class AsyncWebhooks(_AsyncResource):
    async def create(
        self,
        *,
        url: str,
        events: Iterable[str],
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> models.WebhookCreatedOutput:
        call = _calls.webhook_create(url=url, events=events, description=description, key=idempotency_key)
        return await self._client.request(call)

    async def list(self) -> list[models.WebhookOutput]:
        return await self._client.request(_calls.webhooks_list())

    async def delete(self, webhook_id: str, *, idempotency_key: str | None = None) -> None:
        await self._client.request(_calls.webhook_delete(webhook_id, idempotency_key))

    def verify(
        self,
        body: bytes | str,
        headers: Mapping[str, str],
        secret: str | None = None,
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    ) -> dict[str, Any]:
        secret = webhook_secret_of(self._client.options, secret)
        return verify_webhook(body, headers, secret, tolerance=tolerance)
