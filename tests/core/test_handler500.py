"""An exception raised outside any view (in a middleware) never gives /api/ clients Django's HTML page:
the envelope's 500, or 503 with Retry-After when it is the database that is away."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.test import Client


class ExplodingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.endswith("/explode"):
            raise RuntimeError("a bug in a middleware")
        if request.path.endswith("/database-gone"):
            raise OperationalError("connection refused")
        return self.get_response(request)


@pytest.fixture
def exploding(settings: Any) -> Client:
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.ExplodingMiddleware"]
    return Client(raise_request_exception=False)


def test_a_middlewares_bug_on_the_api_is_the_json_500(exploding: Client) -> None:
    response = exploding.get("/api/agent/explode")
    assert response.status_code == 500
    assert response.json() == {
        "error": "Internal server error. The error was logged.",
        "code": "INTERNAL_ERROR",
        "details": {},
    }


def test_a_database_outage_in_a_middleware_is_a_503_everywhere(exploding: Client) -> None:
    api = exploding.get("/api/agent/database-gone")
    page = exploding.get("/admin/database-gone")
    assert api.status_code == 503 and api.json()["code"] == "SERVICE_UNAVAILABLE"
    assert page.status_code == 503 and page["Content-Type"].startswith("text/plain")
    assert api["Retry-After"] == page["Retry-After"] == "5"


def test_pages_keep_djangos_own_500(exploding: Client) -> None:
    response = exploding.get("/admin/explode")
    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")
