"""The one rule for names people type (tags, categories, topics): spaces collapsed, not empty, bounded."""

from apps.core.errors import ValidationFailed


def name_clean(name: str, *, max_length: int, label: str = "A name") -> str:
    """``name`` with runs of whitespace collapsed to one space and none at the ends; refused (400, with
    the message under ``details["name"]``) when that leaves nothing or more than ``max_length`` characters."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValidationFailed(f"{label} cannot be empty.", details={"name": ["May not be blank."]})
    if len(cleaned) > max_length:
        raise ValidationFailed(
            f"{label} can be at most {max_length} characters.",
            details={"name": [f"At most {max_length} characters."]},
        )
    return cleaned
