"""Server-side request forgery: refused when saved and again when connecting."""

import socket
from ipaddress import ip_address

import pytest
from django.test import override_settings

from apps.core.errors import ValidationFailed
from apps.webhooks import deliveries, transport
from apps.webhooks.models import WebhookDelivery
from apps.webhooks.subscriptions import endpoint_create

production = override_settings(WEBHOOKS_ALLOW_LOOPBACK_HTTP=False, DEBUG=False)


def _resolving(monkeypatch, mapping: dict[str, list[str]]) -> None:
    """Make getaddrinfo answer ``mapping`` for the named hosts (no network in tests)."""
    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host in mapping:
            return [
                (socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in mapping[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@production
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://192.168.1.10/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://[fd00:ec2::254]/hook",
        "https://[2002:a00:1::]/hook",  # 6to4 of 10.0.0.1
        "https://[64:ff9b::a9fe:a9fe]/hook",  # NAT64 of 169.254.169.254
    ],
)
def test_non_public_addresses_are_refused_in_production(url):
    with pytest.raises(transport.UnsafeURL):
        transport.url_resolve(url)


@production
def test_a_name_resolving_to_loopback_is_refused(monkeypatch):
    _resolving(monkeypatch, {"internal.example.com": ["127.0.0.1"]})
    with pytest.raises(transport.UnsafeURL, match="non-public"):
        transport.url_resolve("https://internal.example.com/hook")


@production
def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    _resolving(monkeypatch, {"mixed.example.com": ["93.184.215.14", "10.1.2.3"]})
    with pytest.raises(transport.UnsafeURL):
        transport.url_resolve("https://mixed.example.com/hook")


@production
def test_https_to_a_public_address_is_allowed_and_pinned(monkeypatch):
    _resolving(monkeypatch, {"hooks.example.com": ["93.184.215.14"]})
    target = transport.url_resolve("https://hooks.example.com:8443/in?x=1")
    assert (target.addresses, target.port, target.path) == ((ip_address("93.184.215.14"),), 8443, "/in?x=1")
    assert target.host == "hooks.example.com" and target.host_header == "hooks.example.com:8443"


@production
@pytest.mark.parametrize(
    "url", ["http://hooks.example.com/hook", "ftp://hooks.example.com/", "https://user:pw@hooks.example.com/"]
)
def test_plain_http_other_schemes_and_credentials_are_refused_in_production(monkeypatch, url):
    _resolving(monkeypatch, {"hooks.example.com": ["93.184.215.14"]})
    with pytest.raises(transport.UnsafeURL):
        transport.url_resolve(url)


def test_the_development_setting_allows_loopback_http_but_never_private_addresses(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK_HTTP = True
    assert transport.url_resolve("http://127.0.0.1:8000/hook").addresses == (ip_address("127.0.0.1"),)
    for url in ("http://10.0.0.1/hook", "http://169.254.169.254/", "https://192.168.0.1/"):
        with pytest.raises(transport.UnsafeURL):
            transport.url_resolve(url)


@production
def test_saving_an_endpoint_refuses_unsafe_urls(org):
    with pytest.raises(ValidationFailed) as caught:
        endpoint_create(organization=org, url="https://169.254.169.254/", events=["time_entry.started"])
    assert caught.value.code == "WEBHOOK_URL_REFUSED"


def test_a_name_that_re_resolves_to_a_private_address_is_refused_when_connecting(
    monkeypatch, httpserver, hook, owner, org, topic
):
    # Saved while it resolved to loopback (allowed in tests); now it points at the metadata service.
    from apps.timer.services import timer_start

    endpoint, _ = hook
    endpoint.url = f"http://rebinding.example.com:{httpserver.port}/hook"
    endpoint.save()
    timer_start(user=owner, organization=org, topic=topic)
    _resolving(monkeypatch, {"rebinding.example.com": ["169.254.169.254"]})
    attempt = deliveries.delivery_attempt(delivery_id=WebhookDelivery.objects.get().id)
    assert attempt.error.startswith("refused") and attempt.status_code is None
    assert httpserver.log == []


def _unresolvable_target(port: int, *addresses: str) -> transport.Target:
    # "receiver.invalid" never resolves: a client that looked the name up again could not connect.
    return transport.Target(
        scheme="http",
        host="receiver.invalid",
        port=port,
        path="/hook",
        host_header=f"receiver.invalid:{port}",
        addresses=tuple(ip_address(address) for address in addresses),
    )


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    target = _unresolvable_target(httpserver.port, "127.0.0.1")
    assert transport.post(target=target, body=b"{}", headers={}).status == 200
    request, _ = httpserver.log[0]
    assert request.headers["Host"] == f"receiver.invalid:{httpserver.port}"


def test_the_next_checked_address_is_tried_when_the_first_refuses(httpserver):
    # Nothing listens on 127.0.0.2 (the receiver is bound to 127.0.0.1 only).
    httpserver.expect_request("/hook").respond_with_data("ok")
    target = _unresolvable_target(httpserver.port, "127.0.0.2", "127.0.0.1")
    assert transport.post(target=target, body=b"{}", headers={}).status == 200
