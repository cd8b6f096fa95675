"""The SDK against a live Teeckin server started by the test (pytest-django's ``live_server``, a real HTTP
server in a thread of the test process, on a free port of 127.0.0.1, on the test database).

The cast is the server suite's: Acme (on the enterprise plan, so the hourly quota never interferes) with
its owner and topics, Globex with an outsider; agents get real client credentials from the services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from teeckin import Teeckin

from apps.agents.services import api_key_create
from apps.organizations.models import Membership, Organization
from apps.topics.models import Topic
from tests.conftest import make_topic, make_user
from tests.fixtures.auth import AgentCredentials, make_agent

# As in tests/: every test starts with empty rate-limit counters (an autouse fixture).
pytest_plugins = ["tests.fixtures.ratelimits"]


@pytest.fixture
def server(live_server: Any) -> str:
    return live_server.url


@pytest.fixture
def acme(transactional_db: None) -> Organization:
    return Organization.objects.create(name="Acme", plan=Organization.Plan.ENTERPRISE)


@pytest.fixture
def globex(transactional_db: None) -> Organization:
    return Organization.objects.create(name="Globex", plan=Organization.Plan.ENTERPRISE)


@pytest.fixture
def owner(acme: Organization) -> Any:
    return make_user("olivia", acme, Membership.Role.OWNER)


@pytest.fixture
def outsider(globex: Organization) -> Any:
    return make_user("oscar", globex, Membership.Role.OWNER)


@pytest.fixture
def topics(acme: Organization) -> dict[str, Topic]:
    return {
        "alpha": make_topic(acme, "Project Alpha", "Client Work"),
        "beta": make_topic(acme, "Project Beta", "Client Work"),
        "research": make_topic(acme, "Research", "Internal"),
    }


@pytest.fixture
def credentials(owner: Any) -> AgentCredentials:
    return make_agent(owner, "SDK agent", scopes=("agent", "webhooks"))


@pytest.fixture
def make_client(server: str) -> Iterator[Callable[..., Teeckin]]:
    """Clients of the live server, closed after the test: an open keep-alive connection would keep a
    server thread, and its database session, alive past the test database's teardown."""
    made: list[Teeckin] = []

    def make(**options: Any) -> Teeckin:
        made.append(Teeckin(base_url=server, **options))
        return made[-1]

    yield make
    for sdk in made:
        sdk.close()


@pytest.fixture
def client(make_client: Callable[..., Teeckin], credentials: AgentCredentials) -> Teeckin:
    return make_client(client_id=credentials.client_id, client_secret=credentials.client_secret)


@pytest.fixture
def api_key(owner: Any) -> str:
    return api_key_create(user=owner, name="SDK key").plaintext


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    # An IP rather than "localhost", so a webhook URL has one address whatever /etc/hosts says about ::1.
    return ("127.0.0.1", 0)
