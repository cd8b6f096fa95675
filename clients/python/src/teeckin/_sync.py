"""``Teeckin``: the synchronous client and its resources."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Mapping
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


class Teeckin:
    """A client of one Teeckin server.

    ``Teeckin(base_url=..., api_key="tak_…")`` or ``Teeckin(base_url=..., client_id=..., client_secret=...)``
    (an access token is fetched, kept in ``token_store`` and renewed before it expires and once on a 401).
    Writes carry an ``Idempotency-Key`` (one per call, the same on its retries); 429 and 503 answers and
    connection failures are retried up to ``max_retries`` times, waiting as ``Retry-After`` says when it
    is at most ``max_retry_wait`` seconds. ``http_client`` lets a caller bring its own ``httpx.Client``.
    """

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
        http_client: httpx.Client | None = None,
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
        self._http = http_client or httpx.Client()
        self._token_lock = threading.Lock()
        self.topics = Topics(self)
        self.timer = Timer(self)
        self.time_entries = TimeEntries(self)
        self.webhooks = Webhooks(self)

    def __enter__(self) -> Teeckin:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own_http:
            self._http.close()

    def me(self) -> models.AgentMeOutput:
        """Who these credentials act as: the agent, its owner, the organization."""
        return self.request(_calls.me())

    # --- Sending

    def _auth_headers(self) -> dict[str, str]:
        if not self.options.uses_token:
            return api_key_headers(self.options)
        return bearer_headers(self._token())

    def _token(self, *, renew: bool = False) -> Token:
        store, options = self.options.token_store, self.options
        with self._token_lock:
            token = store.load()
            if renew or token is None or not token.usable(now=options.clock(), margin=options.renew_margin):
                token = self.request(token_call(options))
                store.save(token)
            return token

    def request(self, call: Call[T]) -> T:
        """Send ``call`` with its retries and return its parsed answer (or raise its ``APIError``)."""
        attempt, renewed = 0, False
        while True:
            headers = self._auth_headers() if call.authenticated else {}
            try:
                response = self._http.request(**call.request_kwargs(self.options, headers))
            except httpx.TransportError as exc:
                delay = transport_retry_delay(self.options, attempt)
                if delay is None:
                    raise TransportError(f"{call.method} {call.path}: {exc}") from exc
                time.sleep(delay)
                attempt += 1
                continue
            if not renewed and is_token_rejection(call, response, self.options):
                self._token(renew=True)
                renewed = True
                continue
            delay = status_retry_delay(response, self.options, attempt)
            if delay is None:
                return parse_answer(call, response)
            time.sleep(delay)
            attempt += 1


class _Resource:
    def __init__(self, client: Teeckin) -> None:
        self._client = client


class Topics(_Resource):
    def list(self) -> list[models.TopicRefOutput]:
        """The organization's usable (unarchived) topics, with their categories' names."""
        return self._client.request(_calls.topics_list())

    def for_agent(self) -> models.TopicsForAgentOutput:
        """Topics grouped by category, the recently used ones and the default topic."""
        return self._client.request(_calls.topics_for_agent())


class Timer(_Resource):
    def start(
        self, *, topic: str, notes: str | None = None, idempotency_key: str | None = None
    ) -> models.AgentTimerStartOutput:
        """Start a timer on a topic named by id or by (fuzzy) name; a running timer is stopped first."""
        return self._client.request(_calls.timer_start(topic, notes, idempotency_key))

    def stop(
        self, *, notes: str | None = None, idempotency_key: str | None = None
    ) -> models.AgentTimerStopOutput:
        """Stop the running timer (``NoActiveTimerError`` when none runs); ``notes`` replace its notes."""
        return self._client.request(_calls.timer_stop(notes, idempotency_key))

    def status(self) -> models.AgentTimerStatusOutput:
        return self._client.request(_calls.timer_status())

    def notes(self, notes: str, *, idempotency_key: str | None = None) -> models.AgentTimerUpdateOutput:
        """Replace the running timer's notes."""
        return self._client.request(_calls.timer_notes(notes, idempotency_key))

    def tags(self, tags: Iterable[str], *, idempotency_key: str | None = None) -> models.AgentTimerTagsOutput:
        """Add tags by name to the running timer; missing tags are created."""
        return self._client.request(_calls.timer_tags(tags, idempotency_key))


class TimeEntries(_Resource):
    def list(
        self,
        *,
        start_date: date | str | None = None,
        end_date: date | str | None = None,
        topic_id: str | None = None,
        tag: str | None = None,
        page_size: int = _calls.PAGE_SIZE,
    ) -> Iterator[models.ClockedTimeOutput]:
        """Every matching entry of the owner, newest first, fetched a page at a time as you iterate."""
        page = 1
        while True:
            answer = self._client.request(
                _calls.time_entries_page(
                    page=page,
                    page_size=page_size,
                    start_date=start_date,
                    end_date=end_date,
                    topic_id=topic_id,
                    tag=tag,
                )
            )
            yield from answer.results
            if _calls.is_last_page(answer):
                return
            page += 1

    def get(self, entry_id: str) -> models.ClockedTimeOutput:
        return self._client.request(_calls.time_entry_get(entry_id))

    def create(
        self,
        *,
        topic_id: str,
        start_time: datetime | str,
        end_time: datetime | str,
        notes: str | None = None,
        tags: Iterable[str] | None = None,
        idempotency_key: str | None = None,
    ) -> models.ClockedTimeOutput:
        """Record finished work between two aware datetimes (retroactive logging)."""
        return self._client.request(
            _calls.time_entry_create(
                topic_id=topic_id,
                start_time=start_time,
                end_time=end_time,
                notes=notes,
                tags=tags,
                key=idempotency_key,
            )
        )

    def log(
        self,
        *,
        topic: str,
        duration_minutes: int,
        notes: str | None = None,
        start_time: datetime | str | None = None,
        idempotency_key: str | None = None,
    ) -> models.AgentTimeOutput:
        """Record ``duration_minutes`` of finished work on a topic named by id or (fuzzy) name."""
        return self._client.request(
            _calls.time_entry_log(
                topic=topic,
                duration_minutes=duration_minutes,
                notes=notes,
                start_time=start_time,
                key=idempotency_key,
            )
        )

    def delete(self, entry_id: str, *, idempotency_key: str | None = None) -> None:
        self._client.request(_calls.time_entry_delete(entry_id, idempotency_key))


class Webhooks(_Resource):
    def create(
        self,
        *,
        url: str,
        events: Iterable[str],
        description: str | None = None,
        idempotency_key: str | None = None,
    ) -> models.WebhookCreatedOutput:
        """Subscribe ``url`` to ``events``; the answer's ``secret`` is shown this once."""
        return self._client.request(
            _calls.webhook_create(url=url, events=events, description=description, key=idempotency_key)
        )

    def list(self) -> list[models.WebhookOutput]:
        return self._client.request(_calls.webhooks_list())

    def delete(self, webhook_id: str, *, idempotency_key: str | None = None) -> None:
        self._client.request(_calls.webhook_delete(webhook_id, idempotency_key))

    def verify(
        self,
        body: bytes | str,
        headers: Mapping[str, str],
        secret: str | None = None,
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    ) -> dict[str, Any]:
        """Check a received delivery's signature and return its event (see ``teeckin.verify_webhook``);
        ``secret`` defaults to the client's ``webhook_secret``."""
        secret = webhook_secret_of(self._client.options, secret)
        return verify_webhook(body, headers, secret, tolerance=tolerance)
