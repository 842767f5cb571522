"""A numeric column of a dataset over time: which columns qualify, and the points of a chart."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.errors import ConflictError
from schemas.records import ColumnType, DatasetSchema
from schemas.series import SeriesPoint

NUMERIC = (ColumnType.INTEGER, ColumnType.FLOAT)


@dataclass(frozen=True, slots=True)
class StoredValue:
    """What the series needs of one stored record."""

    key: str
    data: dict[str, Any]
    ingested_at: datetime
    is_anomaly: bool | None
    anomaly_score: float | None


def numeric_columns(schema: DatasetSchema) -> list[str]:
    """The columns a chart can plot, in schema order."""
    return [column.name for column in schema.columns if column.type in NUMERIC]


def time_columns(schema: DatasetSchema) -> list[str]:
    """The datetime columns that can serve as a chart's time axis."""
    return [column.name for column in schema.columns if column.type is ColumnType.DATETIME]


def check_columns(schema: DatasetSchema, column: str, time_column: str | None) -> None:
    """ConflictError unless `column` is numeric and `time_column` (if any) is a datetime column."""
    if column not in numeric_columns(schema):
        choices = ", ".join(numeric_columns(schema)) or "none"
        raise ConflictError(
            f"{column!r} is not a numeric column of the dataset (numeric columns: {choices})."
        )
    if time_column is not None and time_column not in time_columns(schema):
        choices = ", ".join(time_columns(schema)) or "none"
        raise ConflictError(
            f"{time_column!r} is not a datetime column of the dataset (datetime columns: {choices})."
        )


def series_points(records: Iterable[StoredValue], column: str, time_column: str | None) -> list[SeriesPoint]:
    """The records that have a value (and a time), oldest first; booleans are no numbers."""
    points = []
    for record in records:
        value = record.data.get(column)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        at = _time_of(record, time_column)
        if at is None:
            continue
        points.append(
            SeriesPoint(
                at=at,
                value=float(value),
                anomaly=record.is_anomaly,
                score=record.anomaly_score,
                key=record.key,
            )
        )
    return sorted(points, key=lambda point: (point.at, point.key))


def _time_of(record: StoredValue, time_column: str | None) -> datetime | None:
    if time_column is None:
        return record.ingested_at
    raw = record.data.get(time_column)
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
