"""Output serializers applied without being built anew on every response.

``SomeOutput(value).data`` deep-copies every declared field (and every nested serializer's fields) before
writing a single key: on the hot agent endpoints that copying cost more than the rest of the view. The
fields of an output serializer carry no per-request state, so one bound instance per class serves every
request; the serializer stays the single definition of the shape and of the published schema.
"""

from __future__ import annotations

import functools
from typing import Any

from rest_framework import serializers


@functools.cache
def _instance(serializer_class: type[serializers.Serializer]) -> serializers.Serializer:
    serializer = serializer_class()
    serializer.fields  # noqa: B018  (binds the fields now, once, rather than racing on first use)
    return serializer


def represent(serializer_class: type[serializers.Serializer], value: Any) -> dict[str, Any]:
    """What ``serializer_class(value).data`` returns, for output serializers that need no context."""
    return _instance(serializer_class).to_representation(value)
