"""The admin of topic aliases and repository bindings writes through the services."""

from __future__ import annotations

from django.test import Client

from apps.organizations.models import Organization
from apps.topics.models import Topic, TopicAlias, TopicRepository
from tests.admin.conftest import page_messages

ALIASES = "/admin/topics/topicalias/"
BINDINGS = "/admin/topics/topicrepository/"


def test_an_org_admin_adds_an_alias_to_an_own_topic(
    org_admin: Client, org: Organization, topic: Topic
) -> None:
    response = org_admin.post(f"{ALIASES}add/", {"name": "  PA ", "topic": topic.pk})
    assert response.status_code == 302
    alias = TopicAlias.objects.get()
    assert (alias.name, alias.organization, alias.topic) == ("PA", org, topic)


def test_an_alias_taken_by_a_topic_name_is_refused_with_a_message(
    org_admin: Client, topic: Topic, research: Topic
) -> None:
    response = org_admin.post(f"{ALIASES}add/", {"name": "RESEARCH", "topic": topic.pk}, follow=True)
    assert "already exists" in " ".join(page_messages(response))
    assert not TopicAlias.objects.exists()


def test_another_organizations_topic_is_not_offered(org_admin: Client, outsider_topic: Topic) -> None:
    response = org_admin.post(f"{ALIASES}add/", {"name": "X", "topic": outsider_topic.pk})
    assert response.status_code == 200 and "topic" in response.context["adminform"].form.errors
    assert not TopicAlias.objects.exists()


def test_an_org_admin_binds_a_repository_stored_normalised(org_admin: Client, topic: Topic) -> None:
    response = org_admin.post(
        f"{BINDINGS}add/", {"pattern": "git@github.com:Acme/Web.git", "topic": topic.pk}
    )
    assert response.status_code == 302
    assert TopicRepository.objects.get().pattern == "github.com/acme/web"
