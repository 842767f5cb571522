"""A dataset column over time: numeric values only, by a datetime column or storage time, oldest first."""

from datetime import UTC, datetime

import pytest

from app.errors import ConflictError
from app.records.series import StoredValue, check_columns, numeric_columns, series_points, time_columns
from schemas.records import ColumnSpec, ColumnType, DatasetSchema

SCHEMA = DatasetSchema(
    columns=[
        ColumnSpec(name="id", type=ColumnType.INTEGER),
        ColumnSpec(name="amount", type=ColumnType.FLOAT),
        ColumnSpec(name="note", type=ColumnType.STRING, required=False),
        ColumnSpec(name="placed_at", type=ColumnType.DATETIME, required=False),
    ],
    key=["id"],
)
STORED = datetime(2024, 6, 1, tzinfo=UTC)


def stored(key: str, **data: object) -> StoredValue:
    """A stored record with `data`, stored at STORED, flagged when its amount is over 100."""
    amount = data.get("amount")
    flag = isinstance(amount, float) and amount > 100
    return StoredValue(key=key, data=dict(data), ingested_at=STORED, is_anomaly=flag, anomaly_score=0.5)


def test_numeric_and_datetime_columns_are_offered_in_schema_order() -> None:
    assert numeric_columns(SCHEMA) == ["id", "amount"]
    assert time_columns(SCHEMA) == ["placed_at"]


@pytest.mark.parametrize(("column", "time"), [("note", None), ("missing", None), ("amount", "id")])
def test_a_column_that_cannot_be_charted_is_refused_with_the_choices(column: str, time: str | None) -> None:
    with pytest.raises(ConflictError, match="columns: "):
        check_columns(SCHEMA, column, time)


def test_points_follow_the_time_column_and_skip_records_without_value_or_time() -> None:
    records = [
        stored("b", amount=250.0, placed_at="2024-06-02T10:00:00+00:00"),
        stored("a", amount=12.5, placed_at="2024-06-01T10:00:00+02:00"),
        stored("c", amount=None, placed_at="2024-06-03T10:00:00+00:00"),
        stored("d", amount=3.0),
        stored("e", amount=True, placed_at="2024-06-03T10:00:00+00:00"),
    ]

    points = series_points(records, "amount", "placed_at")

    assert [(p.key, p.at, p.value, p.anomaly) for p in points] == [
        ("a", datetime(2024, 6, 1, 8, tzinfo=UTC), 12.5, False),
        ("b", datetime(2024, 6, 2, 10, tzinfo=UTC), 250.0, True),
    ]


def test_without_a_time_column_points_are_at_their_storage_time() -> None:
    points = series_points([stored("a", amount=1.0), stored("b", amount=2)], "amount", None)

    assert [(p.key, p.at, p.value) for p in points] == [("a", STORED, 1.0), ("b", STORED, 2.0)]
