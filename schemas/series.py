"""A numeric column of a dataset over time, with anomaly flags: what a chart of it needs."""

from datetime import datetime

from pydantic import Field

from schemas.base import Message


class SeriesPoint(Message):
    """One record's value of the column at its time."""

    at: datetime
    value: float
    anomaly: bool | None = Field(description="The anomaly model's flag; null when unscored.")
    score: float | None
    key: str = Field(description="The record's key (sha256 of its key columns).")


class DatasetSeries(Message):
    """The newest records' values of one numeric column, oldest first."""

    dataset: str
    column: str
    time_column: str | None = Field(description="The datetime column used as time; null: when stored.")
    points: list[SeriesPoint]
    truncated: bool = Field(description="True when older records were left out (see `limit`).")
