"""Inferring a dataset's schema from its first batch, when no admin declared one.

Each value is given the narrowest type that reads it: JSON booleans and `true`/`false` text are
booleans; JSON integers and integer text are integers (but text with a leading zero, like a
postcode `"0123"`, stays a string); other numbers are floats; ISO 8601 dates are datetimes;
anything else is a string. A column whose values disagree is a float if they are all numbers,
else a string. A column missing or blank in any row is optional. No key is inferred.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from pydantic import ValidationError

from app.errors import PermanentError
from app.records.values import is_blank
from schemas.dead_letters import DeadLetterReason
from schemas.records import MAX_COLUMNS, ColumnSpec, ColumnType, DatasetSchema

_INTEGER_TEXT = re.compile(r"[+-]?(0|[1-9][0-9]*)")
_FLOAT_TEXT = re.compile(r"[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_DATE_PREFIX = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def infer_schema(rows: Sequence[Mapping[str, object]]) -> DatasetSchema:
    """A schema that reads every row of a first batch; columns in first-seen order, no key."""
    kinds: dict[str, set[ColumnType]] = {}
    for row in rows:
        for name, value in row.items():
            seen = kinds.setdefault(name, set())
            if not is_blank(value):
                seen.add(value_type(value))
    columns = [_column(name, seen, rows) for name, seen in kinds.items()]
    valid = [column for column in columns if column is not None]
    if not valid:
        raise PermanentError(
            DeadLetterReason.INVALID_EVENT, "Cannot infer a schema: the records have no usable columns."
        )
    if len(valid) > MAX_COLUMNS:
        raise PermanentError(
            DeadLetterReason.INVALID_EVENT,
            f"Cannot infer a schema: the records have {len(valid)} columns; the limit is {MAX_COLUMNS}.",
        )
    return DatasetSchema(columns=valid)


def value_type(value: object) -> ColumnType:
    """The narrowest column type that reads one non-blank value."""
    if isinstance(value, bool):
        return ColumnType.BOOLEAN
    if isinstance(value, int):
        return ColumnType.INTEGER
    if isinstance(value, float):
        return ColumnType.FLOAT
    if not isinstance(value, str):
        return ColumnType.STRING
    text = value.strip()
    if text.lower() in ("true", "false"):
        return ColumnType.BOOLEAN
    if _INTEGER_TEXT.fullmatch(text):
        return ColumnType.INTEGER
    if _FLOAT_TEXT.fullmatch(text):
        return ColumnType.FLOAT
    if _DATE_PREFIX.match(text) and _is_iso_datetime(text):
        return ColumnType.DATETIME
    return ColumnType.STRING


def _column(name: str, seen: set[ColumnType], rows: Sequence[Mapping[str, object]]) -> ColumnSpec | None:
    """The column's spec, or None when its name is not a usable column name (rows using it get rejected)."""
    column_type = _widest(seen)
    if column_type is ColumnType.STRING:
        # Blank text is a value in a string column, so only absent and null make it optional.
        required = all(row.get(name) is not None for row in rows)
    else:
        required = all(not is_blank(row.get(name)) for row in rows)
    try:
        return ColumnSpec(name=name, type=column_type, required=required)
    except ValidationError:
        return None


def _widest(seen: set[ColumnType]) -> ColumnType:
    """One type for a column's values: their common type, float for mixed numbers, else string."""
    if len(seen) == 1:
        return next(iter(seen))
    if seen == {ColumnType.INTEGER, ColumnType.FLOAT}:
        return ColumnType.FLOAT
    return ColumnType.STRING


def _is_iso_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
