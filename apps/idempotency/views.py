"""The DRF side of Idempotency-Key: a mixin of ``apps.agents.api.base.ApiView``, so every write endpoint
of the API (POST, PUT, PATCH, DELETE) honours the header without a line of its own.

Order in a request: authentication, permissions and rate limits run first (DRF's ``initial``); a
refused request never claims a key. Then the key is claimed (its own committed row), and the view runs
inside one transaction together with the recording of its answer: either both commit or neither, so a
crash cannot leave a write without its recorded answer (which a retry would repeat).

The OAuth token endpoint (/api/oauth/token) does not take the header: it runs before there is a user to
scope keys by, a retry simply issues another token, and its answer holds a bearer token that must never
be stored in plain text.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpResponse, HttpResponseBase
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.idempotency.services import (
    Claim,
    IdempotencyKeyInProgress,
    RecordedAnswer,
    idempotency_answer_final,
    idempotency_key_claim,
    idempotency_key_clean,
    idempotency_key_execute,
    idempotency_key_release_after_error,
    idempotency_key_settle,
    request_fingerprint,
)
from apps.organizations.actor import actor_from_request

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Seconds a client is told to wait when the first request with its key is still running.
IN_PROGRESS_RETRY_AFTER = "1"


def _answer_of(response: HttpResponseBase) -> RecordedAnswer:
    if isinstance(response, Response):
        # The API's only renderer, so the bytes are those the client receives.
        body = JSONRenderer().render(response.data)
    else:
        body = getattr(response, "content", b"")
    return RecordedAnswer(status_code=response.status_code, body=body, content_type="application/json")


class _Replay(Exception):
    """Raised from ``initial`` to skip the view; ``handle_exception`` answers with the recording."""

    def __init__(self, answer: RecordedAnswer) -> None:
        super().__init__("idempotent replay")
        self.answer = answer


class IdempotentWrites:
    # Set by ``initial`` when this request claimed a key and has not recorded or released it yet.
    idempotency_claim: Claim | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raw = request.headers.get(HEADER)
        if raw is None or request.method not in WRITE_METHODS:
            return
        if getattr(self, request.method.lower(), None) is None:
            return  # a method this view does not have: DRF answers 405, no key is claimed
        key = idempotency_key_clean(raw)
        actor = actor_from_request(request)
        # request.data parses the body now (a malformed one is refused before any claim) and is cached
        # for the view.
        fingerprint = request_fingerprint(
            method=request.method, path=request.get_full_path(), data=request.data
        )
        outcome = idempotency_key_claim(
            organization=actor.organization,
            user=actor.user,
            key=key,
            fingerprint=fingerprint,
            method=request.method,
            path=request.path,
        )
        if isinstance(outcome, RecordedAnswer):
            raise _Replay(outcome)
        self.idempotency_claim = outcome
        # DRF looks the handler up by name right after ``initial``; this view instance serves only this
        # request, so shadowing the bound method here wraps exactly this call.
        handler = getattr(self, request.method.lower(), None)
        if handler is not None:
            setattr(self, request.method.lower(), partial(self._idempotent_run, handler))

    def _idempotent_run(self, handler: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        claim = self.idempotency_claim
        assert claim is not None
        response = idempotency_key_execute(
            claim=claim, run=lambda: handler(request, *args, **kwargs), answer=_answer_of
        )
        if idempotency_answer_final(response.status_code):
            self.idempotency_claim = None
        return response

    def handle_exception(self, exc: Exception) -> HttpResponseBase:
        if isinstance(exc, _Replay):
            answer = exc.answer
            replay = HttpResponse(
                answer.body, status=answer.status_code, content_type=answer.content_type or None
            )
            replay[REPLAYED_HEADER] = "true"
            return replay
        try:
            response = super().handle_exception(exc)
        except Exception:
            self._idempotency_release()  # an unexpected error (a 500): the client may retry
            raise
        if isinstance(exc, IdempotencyKeyInProgress):
            response["Retry-After"] = IN_PROGRESS_RETRY_AFTER
        return response

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)
        claim = self.idempotency_claim
        if claim is not None:
            # The view raised (its transaction rolled back) and the handler made this answer.
            self.idempotency_claim = None
            idempotency_key_settle(claim=claim, answer=_answer_of(response))
        return response

    def _idempotency_release(self) -> None:
        claim, self.idempotency_claim = self.idempotency_claim, None
        if claim is not None:
            idempotency_key_release_after_error(claim=claim)
