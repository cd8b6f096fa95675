"""Public ids: an opaque prefix plus 16 random base32 characters (80 bits), e.g. ``top-k3v9q2m4x7b1c5d8``.

They are the primary keys of our own models, so an id never reveals how many rows exist and the same
string is used in the database, the API and the admin.
"""

import base64
import secrets
from functools import partial
from typing import Any

from django.db import models


def new_public_id(prefix: str) -> str:
    return f"{prefix}-{base64.b32encode(secrets.token_bytes(10)).decode().lower()}"


class PublicIdField(models.CharField):
    """A CharField primary key filled with ``new_public_id(prefix)``."""

    def __init__(self, *args: Any, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("primary_key", True)
        kwargs.setdefault("editable", False)
        kwargs["default"] = partial(new_public_id, prefix)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("default", None)
        kwargs["prefix"] = self.prefix
        return name, path, args, kwargs
