"""One case folding (NFKC + casefold) for the unique constraints and the lookups of tags, categories and
topic names: a name written with the Kelvin sign or a capital sharp s can no longer break a name."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.clocked_times.models import ClockedTime
from apps.core.names import name_key, name_keys_backfill
from apps.tags.models import Tag
from apps.topics.models import Category, Topic
from tests.conftest import make_topic

KELVIN = "\u212a"  # KELVIN SIGN, which NFKC turns into "K"
CAPITAL_SHARP_S = "\u1e9e"  # LATIN CAPITAL LETTER SHARP S, which casefolds to "ss"


def test_name_key_folds_compatibility_forms_and_full_case():
    assert name_key(f"{KELVIN}elvin-Sign") == "kelvin-sign"
    assert name_key(f"STRA{CAPITAL_SHARP_S}E") == name_key("Straße") == name_key("STRASSE") == "strasse"
    assert name_key("\ufb01le  \uff21\uff22\uff23 ") == "file abc"  # ligature, full-width letters, spaces


def _running(owner, topic) -> ClockedTime:
    return ClockedTime.objects.create(
        user=owner, organization=topic.organization, topic=topic, start_time=timezone.now()
    )


def test_tagging_kelvin_after_a_kelvin_sign_tag_finds_that_tag(owner_api, owner, topic):
    created = owner_api.post("/api/tags", {"name": f"{KELVIN}elvin-sign"}, format="json")
    assert created.status_code == 201
    entry = _running(owner, topic)
    for spelling in ("kelvin-sign", "KELVIN-SIGN", f"{KELVIN}ELVIN-SIGN"):
        response = owner_api.post("/api/agent/timer/tags", {"tags": [spelling]}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["tags"] == [f"{KELVIN}elvin-sign"]
    assert Tag.objects.filter(organization=topic.organization).count() == 1
    assert entry.tags.count() == 1


def test_a_second_spelling_of_a_folded_tag_name_is_refused_cleanly(owner_api, org):
    assert owner_api.post("/api/tags", {"name": f"STRA{CAPITAL_SHARP_S}E"}, format="json").status_code == 201
    for spelling in ("strasse", "Straße", "STRASSE"):
        taken = owner_api.post("/api/tags", {"name": spelling}, format="json")
        assert taken.status_code == 409 and taken.json()["code"] == "TAG_NAME_TAKEN"
    assert Tag.objects.filter(organization=org).count() == 1


def test_list_filter_by_tag_uses_the_same_folding(owner_api, owner, topic):
    owner_api.post("/api/tags", {"name": f"{KELVIN}elvin"}, format="json")
    entry = _running(owner, topic)
    owner_api.post("/api/agent/timer/tags", {"tags": ["kelvin"]}, format="json")
    listed = owner_api.get("/api/clocked-times", {"tag": "KELVIN"})
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [entry.id]


def test_topic_and_category_names_fold_alike(owner_api, org):
    category = owner_api.post("/api/categories", {"name": f"{KELVIN}unden"}, format="json")
    assert category.status_code == 201
    again = owner_api.post("/api/categories", {"name": "kunden"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "CATEGORY_NAME_TAKEN"
    body = {"name": f"{KELVIN}elvin-sign", "categoryId": category.json()["id"]}
    assert owner_api.post("/api/topics", body, format="json").status_code == 201
    clash = owner_api.post("/api/topics", {**body, "name": "kelvin-sign"}, format="json")
    assert clash.status_code == 409 and clash.json()["code"] == "TOPIC_NAME_TAKEN"
    started = owner_api.post("/api/agent/timer/start", {"topic": "kelvin-sign"}, format="json")
    assert started.status_code == 201, started.content
    assert Topic.objects.filter(organization=org).count() == 1


def test_the_backfill_renames_rows_that_the_new_folding_makes_equal(org, other_org):
    first = Tag.objects.create(organization=org, name="Straße")
    second = Tag.objects.create(organization=org, name="placeholder")
    elsewhere = Tag.objects.create(organization=other_org, name="placeholder")
    # As the rows stood before the migration: names that lower() kept apart, keys not yet meaningful.
    Tag.objects.filter(pk=second.pk).update(name="STRASSE", name_key="before-1")
    Tag.objects.filter(pk=first.pk).update(name_key="before-2")
    Tag.objects.filter(pk=elsewhere.pk).update(name="strasse", name_key="before-3")
    name_keys_backfill(Tag, max_length=100)
    rows = {tag.pk: (tag.name, tag.name_key) for tag in Tag.objects.all()}
    kept, renamed = sorted([first.pk, second.pk])
    assert rows[kept][1] == "strasse"
    assert rows[renamed][0].endswith(" (2)") and rows[renamed][1].endswith("(2)")
    assert rows[elsewhere.pk] == ("strasse", "strasse")  # another organization is its own namespace


@pytest.mark.parametrize("model", [Tag, Category, Topic])
def test_every_write_path_fills_the_key(org, model):
    if model is Topic:
        row = make_topic(org, f"{KELVIN}elvin")
    else:
        row = model.objects.create(organization=org, name=f"{KELVIN}elvin")
    row.refresh_from_db()
    assert row.name_key == "kelvin"
