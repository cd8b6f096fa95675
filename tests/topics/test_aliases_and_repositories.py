"""Topic aliases and repository bindings: the CRUD endpoints, their rules, and the repository selector."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from apps.core.errors import Conflict
from apps.topics.models import Category, Topic, TopicAlias, TopicRepository
from apps.topics.repositories import repository_normalise
from apps.topics.selectors import topic_resolve_repository
from apps.topics.services import topic_alias_create, topic_create
from tests.api.helpers import assert_documented
from tests.conftest import make_topic, requires_postgres

KELVIN = "\u212a"


def _aliases(topic: Topic) -> str:
    return f"/api/v1/topics/{topic.id}/aliases"


def _repositories(topic: Topic) -> str:
    return f"/api/v1/topics/{topic.id}/repositories"


# --- Aliases ------------------------------------------------------------------------------------------


def test_alias_crud_by_an_owner(owner_api, topic):
    created = owner_api.post(_aliases(topic), {"name": "  PA  "}, format="json")
    assert created.status_code == 201
    assert_documented(created)
    alias = created.json()
    assert alias["name"] == "PA" and alias["topicId"] == topic.id and alias["id"].startswith("tal-")
    listed = owner_api.get(_aliases(topic))
    assert [a["name"] for a in listed.json()["aliases"]] == ["PA"]
    assert_documented(listed)
    got = owner_api.get(f"{_aliases(topic)}/{alias['id']}")
    assert got.status_code == 200 and got.json() == alias
    assert_documented(got)
    renamed = owner_api.patch(f"{_aliases(topic)}/{alias['id']}", {"name": "Alpha Project X"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Alpha Project X"
    assert_documented(renamed)
    respelled = owner_api.patch(
        f"{_aliases(topic)}/{alias['id']}", {"name": "ALPHA project x"}, format="json"
    )
    assert respelled.status_code == 200
    deleted = owner_api.delete(f"{_aliases(topic)}/{alias['id']}")
    assert deleted.status_code == 204 and not TopicAlias.objects.exists()


def test_an_alias_is_matched_like_a_name_by_a_timer_start(owner_api, org, topic):
    owner_api.post(_aliases(topic), {"name": "CSP"}, format="json")
    started = owner_api.post("/api/agent/timer/start", {"topic": "csp"}, format="json")
    assert started.status_code == 201 and started.json()["topic"]["id"] == topic.id


def test_names_and_aliases_share_one_namespace_ignoring_case(owner_api, org, topic, research):
    taken_name = owner_api.post(_aliases(topic), {"name": "RESEARCH"}, format="json")
    assert taken_name.status_code == 409 and taken_name.json()["code"] == "TOPIC_NAME_TAKEN"
    assert owner_api.post(_aliases(topic), {"name": f"{KELVIN}elvin"}, format="json").status_code == 201
    taken_alias = owner_api.post(_aliases(research), {"name": "kelvin"}, format="json")
    assert taken_alias.status_code == 409 and taken_alias.json()["details"] == {"topicId": topic.id}
    body = {"name": "KELVIN", "categoryId": research.category_id}
    clash = owner_api.post("/api/v1/topics", body, format="json")
    assert clash.status_code == 409 and clash.json()["code"] == "TOPIC_NAME_TAKEN"
    rename = owner_api.patch(f"/api/v1/topics/{research.id}", {"name": "kelvin"}, format="json")
    assert rename.status_code == 409
    assert TopicAlias.objects.count() == 1 and Topic.objects.filter(name="Research").exists()


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": 5}, {"name": "x" * 201}, {"name": "a", "x": 1}])
def test_bad_alias_input_is_400(owner_api, topic, body):
    response = owner_api.post(_aliases(topic), body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_ERROR"
    assert not TopicAlias.objects.exists()


def test_a_member_reads_aliases_but_does_not_write_them(teammate_api, org, topic):
    TopicAlias.objects.create(organization=org, topic=topic, name="PA")
    assert teammate_api.get(_aliases(topic)).status_code == 200
    refused = teammate_api.post(_aliases(topic), {"name": "other"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "NOT_ORG_ADMIN"


def test_another_organizations_topic_aliases_and_bindings_are_404(outsider_api, org, topic, outsider_topic):
    alias = TopicAlias.objects.create(organization=org, topic=topic, name="PA")
    binding = TopicRepository.objects.create(organization=org, topic=topic, pattern="acme/web")
    for method, path in [
        ("get", _aliases(topic)),
        ("post", _aliases(topic)),
        ("get", f"{_aliases(topic)}/{alias.id}"),
        ("patch", f"{_aliases(topic)}/{alias.id}"),
        ("delete", f"{_aliases(topic)}/{alias.id}"),
        ("get", f"{_aliases(outsider_topic)}/{alias.id}"),
        ("delete", f"{_aliases(outsider_topic)}/{alias.id}"),
        ("get", _repositories(topic)),
        ("post", _repositories(topic)),
        ("get", f"{_repositories(topic)}/{binding.id}"),
        ("delete", f"{_repositories(topic)}/{binding.id}"),
        ("delete", f"{_repositories(outsider_topic)}/{binding.id}"),
    ]:
        # No body on a GET: the test client would send it as query parameters, refused (400) as unknown.
        body = None if method == "get" else {"name": "x", "pattern": "x"}
        response = getattr(outsider_api, method)(path, body, format="json")
        assert response.status_code == 404, (method, path)
    assert TopicAlias.objects.filter(pk=alias.pk).exists()
    assert TopicRepository.objects.filter(pk=binding.pk).exists()


# --- Repository bindings ------------------------------------------------------------------------------


def test_binding_crud_stores_the_normalised_pattern(owner_api, topic):
    created = owner_api.post(
        _repositories(topic), {"pattern": "https://GitHub.com/Acme/Web.git"}, format="json"
    )
    assert created.status_code == 201
    assert_documented(created)
    binding = created.json()
    assert binding["pattern"] == "github.com/acme/web" and binding["id"].startswith("trb-")
    listed = owner_api.get(_repositories(topic))
    assert [b["pattern"] for b in listed.json()["repositories"]] == ["github.com/acme/web"]
    assert_documented(listed)
    again = owner_api.post(_repositories(topic), {"pattern": "git@github.com:acme/web"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "REPOSITORY_PATTERN_TAKEN"
    got = owner_api.get(f"{_repositories(topic)}/{binding['id']}")
    assert got.status_code == 200 and got.json() == binding
    assert owner_api.delete(f"{_repositories(topic)}/{binding['id']}").status_code == 204
    assert not TopicRepository.objects.exists()


@pytest.mark.parametrize("pattern", ["", "*", "**/*", "  ", ".git", "http://["])
def test_a_pattern_that_names_nothing_is_400(owner_api, topic, pattern):
    response = owner_api.post(_repositories(topic), {"pattern": pattern}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "VALIDATION_ERROR"


@pytest.mark.parametrize(
    ("remote", "normalised"),
    [
        ("https://github.com/acme/web.git", "github.com/acme/web"),
        ("https://user:s3cret@GitHub.com:443/Acme/Web/", "github.com/acme/web"),
        ("git@github.com:acme/web.git", "github.com/acme/web"),
        ("ssh://git@github.com:22/acme/web.git", "github.com/acme/web"),
        ("git://git.example.org/tools/cli", "git.example.org/tools/cli"),
        ("acme/web", "acme/web"),
        ("web.git", "web"),
        ("C:\\src\\acme\\web", "c:/src/acme/web"),
        ("/home/dev/src/contoso-api/", "home/dev/src/contoso-api"),
        ("file:///srv/git/web.git", "srv/git/web"),
        ("http://[::1", "::1"),  # malformed: urlsplit raises, still no 500
        ("https://", ""),
    ],
)
def test_remotes_are_normalised(remote, normalised):
    assert repository_normalise(remote) == normalised


def _bind(org, topic: Topic, *patterns: str) -> None:
    for pattern in patterns:
        TopicRepository.objects.create(organization=org, topic=topic, pattern=repository_normalise(pattern))


def test_exact_beats_glob_and_the_longer_pattern_wins(org):
    web, api, other = (make_topic(org, name) for name in ("Contoso Web", "Contoso API", "Other"))
    _bind(org, web, "contoso-*", "github.com/acme/web")
    _bind(org, api, "contoso-api")
    _bind(org, other, "github.com/acme/*")
    assert topic_resolve_repository(organization=org, repository="git@github.com:acme/contoso-api.git") == api
    assert (
        topic_resolve_repository(organization=org, repository="https://github.com/acme/contoso-ui") == other
    )
    assert topic_resolve_repository(organization=org, repository="gitlab.com/x/contoso-ui") == web
    assert topic_resolve_repository(organization=org, repository="https://github.com/acme/web.git") == web
    assert topic_resolve_repository(organization=org, repository="github.com/globex/web") is None


def test_a_tie_and_an_archived_winner_designate_nothing(org):
    first, second = make_topic(org, "First"), make_topic(org, "Second")
    _bind(org, first, "contoso-*")
    _bind(org, second, "c*oso-api")  # as long as "contoso-*"
    assert topic_resolve_repository(organization=org, repository="contoso-api") is None
    retired = make_topic(org, "Retired", archived=True)
    _bind(org, retired, "contoso-legacy")
    assert topic_resolve_repository(organization=org, repository="contoso-legacy") is None  # not "contoso-*"
    assert topic_resolve_repository(organization=org, repository="contoso-web") == first


def test_bindings_stay_in_their_organization(org, other_org, outsider_topic):
    _bind(other_org, outsider_topic, "acme/web")
    assert topic_resolve_repository(organization=org, repository="github.com/acme/web") is None
    assert (
        topic_resolve_repository(organization=other_org, repository="github.com/acme/web") == outsider_topic
    )


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_racing_topic_name_and_alias_cannot_both_take_one_name(org):
    """The two tables share no constraint; the catalog lock serialises the check and the insert."""
    category = Category.objects.create(organization=org, name="Client Work")
    target = make_topic(org, "Project Alpha")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def as_topic() -> None:
        try:
            barrier.wait()
            topic_create(organization=org, name="Skunkworks", category_id=category.pk)
            outcomes.append("topic")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    def as_alias() -> None:
        try:
            barrier.wait()
            topic_alias_create(topic=target, name="SKUNKWORKS")
            outcomes.append("alias")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    for _round in range(5):
        Topic.objects.filter(name="Skunkworks").delete()
        TopicAlias.objects.all().delete()
        outcomes.clear()
        threads = [threading.Thread(target=as_topic), threading.Thread(target=as_alias)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) in (["refused", "topic"], ["alias", "refused"])
        taken = Topic.objects.filter(name_key="skunkworks").count() + TopicAlias.objects.count()
        assert taken == 1
