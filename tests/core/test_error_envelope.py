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


def test_django_404_and_403_outside_drf_views_keep_their_status(rf):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from apps.core.middleware import ApiErrorMiddleware

    middleware = ApiErrorMiddleware(lambda request: None)
    request = rf.get("/api/something")
    not_found = middleware.process_exception(request, Http404("gone"))
    forbidden = middleware.process_exception(request, PermissionDenied())
    assert (not_found.status_code, forbidden.status_code) == (404, 403)
    assert b'"code": "NOT_FOUND"' in not_found.content and b'"code": "FORBIDDEN"' in forbidden.content
    assert middleware.process_exception(rf.get("/admin/"), Http404()) is None
