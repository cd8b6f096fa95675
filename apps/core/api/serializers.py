"""Building blocks of input serializers: strict types and no unknown fields.

DRF's own fields coerce (``123`` becomes ``"123"``, ``"30"`` becomes ``30``, ``true`` becomes ``1``) and
ignore unknown keys. An agent that sends ``{"topic_id": ...}`` to an endpoint that wants ``topicId`` must
hear about its mistake instead of having the field silently dropped.
"""

from __future__ import annotations

import functools
from functools import cached_property
from typing import Any

from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": "A whole number is required."}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


@functools.cache
def _bound_fields(serializer_class: type[serializers.Serializer]) -> BindingDict:
    """The fields of ``serializer_class`` bound once, to a prototype instance (see StrictInput.fields).
    Two threads racing here bind equal sets; either may stay."""
    prototype = serializer_class()
    fields = serializers.Serializer.fields.func(prototype)
    prototype.__dict__["fields"] = fields
    return fields


class StrictInput(serializers.Serializer):
    # An input serializer that refuses keys it does not declare (400 with the unknown names). A comment,
    # not a docstring: drf-spectacular would publish a docstring as every input schema's description.

    @cached_property
    def fields(self) -> BindingDict:
        # DRF deep-copies every declared field (nested serializers' too) for each new serializer: on the
        # timer endpoints that cost more than validating the body. The fields keep no per-request state
        # (values and errors live in the serializer being validated), so one set bound to a prototype
        # instance serves every request. A partial or context-bearing serializer binds its own, and so
        # does one nested in such a serializer: fields read both through their root.
        root = self.root
        if root.partial or getattr(root, "_context", None):
            return serializers.Serializer.fields.func(self)
        return _bound_fields(type(self))

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)


def notes_field(**kwargs: Any) -> StrictCharField:
    from django.conf import settings

    return StrictCharField(
        max_length=settings.NOTES_MAX_LENGTH, allow_blank=True, trim_whitespace=False, **kwargs
    )


def tag_names_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=StrictCharField(max_length=100, allow_blank=False), max_length=50, **kwargs
    )
