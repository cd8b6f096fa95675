"""The API's JSON parser."""

from typing import Any

from rest_framework.parsers import JSONParser

from apps.core.errors import MalformedRequest


class JsonParser(JSONParser):
    """DRF's parser, plus a 400 for JSON nested deeper than Python's recursion limit.

    ``json.load`` raises RecursionError (not ValueError) on ``[[[[…]]]]`` a few thousand levels deep,
    which DRF lets through as a 500. No input of ours nests more than a few levels.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise MalformedRequest("JSON parse error - nested too deeply.") from exc
