"""Provenance in the admin: searchable, filterable and shown (read-only) on the entry's page."""

from tests.clocked_times.test_provenance import SOURCE


def test_the_admin_searches_and_shows_provenance(org_admin, owner_api, topic):
    response = owner_api.post("/api/agent/timer/start", {"topic": topic.id, "source": SOURCE}, format="json")
    entry_id = response.json()["clockedTimeId"]
    listing = org_admin.get("/admin/clocked_times/clockedtime/", {"q": "feature/login"})
    assert listing.status_code == 200 and entry_id in listing.content.decode()
    assert (
        entry_id
        not in org_admin.get("/admin/clocked_times/clockedtime/", {"q": "no-such-branch"}).content.decode()
    )
    page = org_admin.get(f"/admin/clocked_times/clockedtime/{entry_id}/change/").content.decode()
    assert "olivia-laptop" in page and SOURCE["session"] in page
