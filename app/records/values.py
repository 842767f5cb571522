"""Coercion of one JSON value to a column type, and how a value is quoted in a rejection reason.

Rules (lenient where the meaning is unambiguous, strict otherwise):
- string: text is trimmed; numbers and booleans become their JSON text (`1.5`, `true`).
- integer: JSON integers, integral floats (`3.0`) and decimal text (`" 42 "`, `"42.0"`); within int64.
- float: JSON numbers and decimal or scientific text; NaN and infinities are refused.
- boolean: JSON booleans, `0`/`1`, and text true/false, yes/no, t/f, y/n, 1/0 (any case).
- datetime: ISO 8601 text; a time without a zone is taken as UTC; every value is stored in UTC.
Blank text is a missing value for every type but string. Booleans are never numbers.
"""

import math
import re
from datetime import UTC, datetime

from schemas.records import ColumnType

CleanValue = str | int | float | bool | datetime | None
"""A value after cleaning: the column's Python type, or None."""

MAX_STRING_CHARS = 10_000
PREVIEW_CHARS = 40
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+(\.0*)?")
_FLOAT_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_TRUE = frozenset({"true", "t", "yes", "y", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "0"})
# NUL breaks PostgreSQL text and lone surrogates break UTF-8; everything else is kept as data.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class CoercionError(ValueError):
    """A value cannot be read as its column's type; the message says what was expected."""


def preview(value: object) -> str:
    """A short, inert rendering of a value for a reason: truncated and `repr`-quoted (controls escaped)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > PREVIEW_CHARS:
        text = text[:PREVIEW_CHARS] + "…"
    return repr(text) if isinstance(value, str) else text


def is_blank(value: object) -> bool:
    """Whether a value counts as missing in a non-string column: null or only whitespace."""
    return value is None or (isinstance(value, str) and not value.strip())


def coerce(value: object, column_type: ColumnType) -> CleanValue:
    """Coerce a non-null JSON scalar to `column_type`, or raise CoercionError."""
    if not isinstance(value, str | int | float | bool):
        raise CoercionError(f"expected a single {column_type} value, got a {type(value).__name__}")
    match column_type:
        case ColumnType.STRING:
            return _to_string(value)
        case ColumnType.INTEGER:
            return _to_integer(value)
        case ColumnType.FLOAT:
            return _to_float(value)
        case ColumnType.BOOLEAN:
            return _to_boolean(value)
        case ColumnType.DATETIME:
            return _to_datetime(value)


def _to_string(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _UNSTORABLE.sub("", value.strip()) if isinstance(value, str) else repr(value)
    if len(text) > MAX_STRING_CHARS:
        raise CoercionError(f"text is {len(text):,} characters; the limit is {MAX_STRING_CHARS:,}")
    return text


def _to_integer(value: str | int | float | bool) -> int:
    number: int | None = None
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INTEGER_TEXT.fullmatch(value.strip()):
        number = int(value.strip().split(".")[0])
    if number is None:
        raise CoercionError("expected an integer")
    if not INT64_MIN <= number <= INT64_MAX:
        raise CoercionError("integer out of the 64-bit range")
    return number


def _to_float(value: str | int | float | bool) -> float:
    if isinstance(value, bool) or (isinstance(value, str) and not _FLOAT_TEXT.fullmatch(value.strip())):
        raise CoercionError("expected a number")
    number = float(value)
    if not math.isfinite(number):
        raise CoercionError("expected a finite number")
    return number


def _to_boolean(value: str | int | float | bool) -> bool:
    if isinstance(value, bool):
        return value
    text = value.strip().lower() if isinstance(value, str) else repr(value)
    if text in _TRUE or text == "1.0":
        return True
    if text in _FALSE or text == "0.0":
        return False
    raise CoercionError("expected a boolean (true/false, yes/no, 1/0)")


def _to_datetime(value: str | int | float | bool) -> datetime:
    if not isinstance(value, str):
        raise CoercionError("expected an ISO 8601 date or date-time text")
    try:
        moment = datetime.fromisoformat(value.strip())
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise CoercionError("expected an ISO 8601 date or date-time") from None
