"""Absurd page numbers are answered, never a database error (PostgreSQL's OFFSET is a 64-bit integer)."""


def test_a_page_number_beyond_64_bits_is_an_empty_page(owner_api):
    response = owner_api.get("/api/clocked-times", {"page": "999999999999999999999"})
    assert response.status_code == 200, response.content
    assert response.json()["results"] == []
