"""Input serializers share one bound set of fields per class (apps/core/api/serializers.py StrictInput):
validations must stay independent of each other, in one thread or many."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from rest_framework import serializers

from apps.core.api.serializers import StrictCharField, StrictInput, StrictIntegerField


class _Inner(StrictInput):
    repository = StrictCharField(max_length=10, required=False)


class _Required(StrictInput):
    name = StrictCharField(max_length=10)
    note = StrictCharField(max_length=10, required=False)


class _Outer(StrictInput):
    inner = _Required(required=False)


class _Body(StrictInput):
    topic = StrictCharField(max_length=5)
    minutes = StrictIntegerField(min_value=1, required=False)
    source = _Inner(required=False)


def _validate(body: dict[str, Any], **kwargs: Any) -> tuple[bool, Any]:
    serializer = _Body(data=body, **kwargs)
    valid = serializer.is_valid()
    return valid, serializer.validated_data if valid else serializer.errors


def test_each_validation_has_its_own_values_and_errors() -> None:
    assert _validate({"topic": "a", "minutes": 3}) == (True, {"topic": "a", "minutes": 3})
    valid, errors = _validate({"topic": "toolong", "source": {"repository": 5, "x": 1}})
    assert not valid
    assert set(errors) == {"topic", "source"}
    assert set(errors["source"]) == {"x"}  # unknown fields are refused before the field checks
    assert _validate({"topic": "b", "source": {"repository": "r"}}) == (
        True,
        {"topic": "b", "source": {"repository": "r"}},
    )
    valid, errors = _validate({"topic": "c", "extra": 1})
    assert not valid and errors == {"extra": ["Unknown field."]}


def test_threads_validating_at_once_do_not_see_each_other() -> None:
    bodies = [{"topic": f"t{n % 100:03d}"[:5], "minutes": n % 7} for n in range(400)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(_validate, bodies))
    for body, (valid, value) in zip(bodies, results, strict=True):
        if body["minutes"] >= 1:
            assert valid and value == body
        else:
            assert not valid and set(value) == {"minutes"}


def test_a_partial_serializer_does_not_require_what_a_full_one_does() -> None:
    # Fields consult their root's ``partial``: a partial instance binds fields of its own.
    assert _validate({"minutes": 2}, partial=True) == (True, {"minutes": 2})
    valid, errors = _validate({"minutes": 2})
    assert not valid and set(errors) == {"topic"}
    assert _validate({"minutes": 2}, partial=True) == (True, {"minutes": 2})


def test_a_nested_serializer_follows_its_partial_root() -> None:
    # DRF makes the nested fields of a partial serializer optional too, through their root.
    partial = _Outer(data={"inner": {"note": "n"}}, partial=True)
    assert partial.is_valid(), partial.errors
    full = _Outer(data={"inner": {"note": "n"}})
    assert not full.is_valid() and set(full.errors["inner"]) == {"name"}


def test_a_context_reaches_the_fields_of_the_serializer_it_was_given_to() -> None:
    class _Seen(serializers.CharField):
        def to_internal_value(self, data: Any) -> str:
            return f"{data}@{self.context.get('who', '-')}"

    class _WithContext(StrictInput):
        name = _Seen()

    first = _WithContext(data={"name": "x"}, context={"who": "one"})
    second = _WithContext(data={"name": "y"}, context={"who": "two"})
    plain = _WithContext(data={"name": "z"})
    assert first.is_valid() and second.is_valid() and plain.is_valid()
    assert (first.validated_data, second.validated_data, plain.validated_data) == (
        {"name": "x@one"},
        {"name": "y@two"},
        {"name": "z@-"},
    )


def test_fields_are_bound_once_per_class() -> None:
    # The point of the shared set: no deep copy of every declared field per request.
    assert _Body(data={}).fields["source"] is _Body(data={}).fields["source"]
    assert _Body(data={}, partial=True).fields["source"] is not _Body(data={}).fields["source"]
