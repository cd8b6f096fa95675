def test_unknown_api_path_answers_with_the_json_envelope(client):
    response = client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": "No API endpoint at /api/no-such-thing.",
        "code": "NOT_FOUND",
        "details": {},
    }


def test_unknown_page_outside_the_api_is_not_json(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "application/json" not in response["Content-Type"]
