"""The ``<id:…>`` path converter of every API path that names an object by its public id."""

from django.urls import register_converter


class PublicIdConverter:
    """Any run of characters but ``/`` and control characters.

    Ids we issue are short ASCII (apps.core.ids). A control character can never be one, and PostgreSQL
    refuses a NUL in a text comparison with an error, so such a path resolves to nothing (the JSON 404 of
    the /api/ catch-all) instead of reaching a view's query. Other wrong ids still reach the view, which
    answers its own specific 404.
    """

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


def register() -> None:
    register_converter(PublicIdConverter, "id")
