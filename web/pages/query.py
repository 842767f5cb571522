"""Filter forms send every field, empty ones too (`?status=&run=`): empty means "any"."""

from enum import StrEnum
from typing import TypeVar
from uuid import UUID

from litestar.exceptions import ValidationException

E = TypeVar("E", bound=StrEnum)


def optional_choice(value: str | None, choices: type[E], name: str) -> E | None:
    """The chosen member, None for an empty field, 400 for anything else."""
    if not value:
        return None
    try:
        return choices(value)
    except ValueError:
        allowed = ", ".join(member.value for member in choices)
        raise ValidationException(f"{name} must be one of: {allowed}") from None


def optional_uuid(value: str | None, name: str) -> UUID | None:
    """The id, None for an empty field, 400 for text that is no UUID."""
    if not value or not value.strip():
        return None
    try:
        return UUID(value.strip())
    except ValueError:
        raise ValidationException(f"{name} must be an id like 3f1c2a9e-0000-4000-8000-000000000000") from None
