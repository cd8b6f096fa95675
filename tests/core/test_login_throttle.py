"""Login throttling (django-axes) on every login form, per IP address and per username, at the shipped
limits (10 failures, then a 15-minute cool-off). The probe had 60 wrong admin passwords in 40 s all
answered."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.views import LoginView
from django.test import Client, RequestFactory
from django.urls import include, path

LIMIT = 10

# The people's login page (branch "pages" adds it at /accounts/login/) is Django's LoginView, which
# calls authenticate() with the request like any login form: this URLconf stands in for it.
urlpatterns = [
    path("accounts/login/", LoginView.as_view(template_name="admin/login.html")),
    path("", include("config.urls")),
]


@pytest.fixture
def staff(owner: Any) -> Any:
    owner.is_staff = True
    owner.save(update_fields=["is_staff"])
    return owner


def login(url: str, username: str, password: str, ip: str) -> Any:
    """A browser's login: fetch the form (CSRF cookie), then post it with the token."""
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)
    client.get(url)
    return client.post(
        url,
        {
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )


def logged_in(response: Any) -> bool:
    return response.status_code == 302 and "login" not in response["Location"]


def test_a_username_is_locked_after_10_failures_from_any_addresses(staff: Any) -> None:
    statuses = [
        login("/admin/login/", staff.username, "wrong", f"198.51.100.{n}").status_code for n in range(LIMIT)
    ]
    assert statuses == [200] * (LIMIT - 1) + [429]  # the 10th failure already answers "locked"

    refused = login(
        "/admin/login/", staff.username, "pw-olivia", "203.0.113.7"
    )  # right password, new address

    assert refused.status_code == 429
    assert not logged_in(refused)


def test_an_address_is_locked_after_10_failures_on_any_usernames(staff: Any) -> None:
    for n in range(LIMIT):
        login("/admin/login/", f"guess{n}", "wrong", "198.51.100.1")

    assert login("/admin/login/", staff.username, "pw-olivia", "198.51.100.1").status_code == 429
    assert logged_in(login("/admin/login/", staff.username, "pw-olivia", "203.0.113.7"))


def test_nine_failures_then_the_right_password_logs_in_and_starts_the_count_again(staff: Any) -> None:
    for _ in range(LIMIT - 1):
        login("/admin/login/", staff.username, "wrong", "198.51.100.1")
    assert logged_in(login("/admin/login/", staff.username, "pw-olivia", "198.51.100.1"))
    for _ in range(LIMIT - 1):
        login("/admin/login/", staff.username, "wrong", "198.51.100.1")
    assert logged_in(login("/admin/login/", staff.username, "pw-olivia", "198.51.100.1"))


@pytest.mark.urls(__name__)
def test_the_peoples_login_page_is_throttled_too(owner: Any) -> None:
    statuses = [
        login("/accounts/login/", owner.username, "wrong", "198.51.100.1").status_code for _ in range(LIMIT)
    ]
    assert statuses == [200] * (LIMIT - 1) + [429]

    assert login("/accounts/login/", owner.username, "pw-olivia", "198.51.100.2").status_code == 429


def test_any_authenticate_call_with_a_request_is_counted(owner: Any) -> None:
    request = RequestFactory().post("/somewhere/login", REMOTE_ADDR="198.51.100.1")
    for _ in range(LIMIT):
        assert authenticate(request, username=owner.username, password="wrong") is None

    assert authenticate(request, username=owner.username, password="pw-olivia") is None
    # Without a request it is not an HTTP login (the test client's login(), a management command).
    assert authenticate(username=owner.username, password="pw-olivia") == owner
