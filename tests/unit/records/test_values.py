"""Coercing one value to its column's type: lenient where the meaning is plain, strict otherwise."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from app.records.values import MAX_STRING_CHARS, CoercionError, coerce, preview
from schemas.records import ColumnType

S, INT, F, B, D = (
    ColumnType.STRING,
    ColumnType.INTEGER,
    ColumnType.FLOAT,
    ColumnType.BOOLEAN,
    ColumnType.DATETIME,
)


@pytest.mark.parametrize(
    ("value", "column_type", "expected"),
    [
        ("  padded  ", S, "padded"),
        (42, S, "42"),
        (1.5, S, "1.5"),
        (True, S, "true"),
        ("nul\x00byte", S, "nulbyte"),
        ("42", INT, 42),
        (" -7 ", INT, -7),
        ("42.0", INT, 42),
        (3.0, INT, 3),
        (2**63 - 1, INT, 2**63 - 1),
        ("2.5", F, 2.5),
        ("1e3", F, 1000.0),
        (7, F, 7.0),
        ("Yes", B, True),
        ("f", B, False),
        (0, B, False),
        ("2024-03-01T12:00:00Z", D, datetime(2024, 3, 1, 12, tzinfo=UTC)),
        ("2024-03-01", D, datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-03-01T14:00:00+02:00", D, datetime(2024, 3, 1, 12, tzinfo=UTC)),
    ],
)
def test_values_that_mean_the_column_type_are_coerced(
    value: object, column_type: ColumnType, expected: object
) -> None:
    result = coerce(value, column_type)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("value", "column_type", "message"),
    [
        ("forty-two", INT, "expected an integer"),
        ("4.5", INT, "expected an integer"),
        (True, INT, "expected an integer"),
        (2**63, INT, "out of the 64-bit range"),
        ("1_000", INT, "expected an integer"),
        ("١٢", INT, "expected an integer"),  # Arabic-Indic digits: int() would take them
        ("NaN", F, "expected a number"),
        ("inf", F, "expected a number"),
        (1e308 * 10, F, "finite"),
        (False, F, "expected a number"),
        ("maybe", B, "expected a boolean"),
        (2, B, "expected a boolean"),
        ("yesterday", D, "ISO 8601"),
        (1700000000, D, "ISO 8601"),
        ([1, 2], S, "got a list"),
        ("x" * (MAX_STRING_CHARS + 1), S, "the limit is 10,000"),
    ],
)
def test_values_that_do_not_mean_the_column_type_are_refused(
    value: object, column_type: ColumnType, message: str
) -> None:
    with pytest.raises(CoercionError, match=message):
        coerce(value, column_type)


def test_a_time_without_a_zone_is_taken_as_utc() -> None:
    assert coerce("2024-03-01T12:00:00", D) == datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert coerce("2024-03-01T12:00:00", D) == datetime(2024, 3, 1, 13, tzinfo=timezone(timedelta(hours=1)))


def test_a_preview_is_short_quoted_and_shows_control_characters_as_escapes() -> None:
    assert preview("ok") == "'ok'"
    assert preview("x" * 100) == repr("x" * 40 + "…")
    assert preview("\x1b[31mred\u202e") == r"'\x1b[31mred\u202e'"
    assert preview(4.5) == "4.5"
