"""Record events and dataset schemas: upstream systems publish JSON rows for a named dataset.

ingest.records (`RecordsSubmitted`) -> records.valid (`RecordsValidated`) -> records.scored
(`RecordsScored`) -> database. Batches travel inline, under `MAX_RECORD_BATCH_BYTES`.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, StringConstraints, model_validator

from schemas.base import Event, Message, Sha256

JsonScalar = str | int | float | bool | None
"""One JSON value that is not an object or array: what a record's field may hold on the wire."""

DatasetSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
"""A dataset's name: lower-case letters, digits, `_` and `-`, at most 64 characters."""

ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
MAX_RECORDS_PER_EVENT = 1000
MAX_COLUMNS = 200
MAX_REASON_CHARS = 2000
MAX_RECORD_BATCH_BYTES = 512 * 1024
"""The largest records message: half of Kafka's default 1 MB cap, leaving room for cleaning and scores."""


class ColumnType(StrEnum):
    """The type every value of a column is coerced to."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATETIME = "datetime"


class ColumnSpec(Message):
    """One column of a dataset. A required column must be present and non-null in every record."""

    name: ColumnName
    type: ColumnType
    required: bool = True


class DatasetSchema(Message):
    """The columns of a dataset and, optionally, the columns whose values identify a record."""

    columns: list[ColumnSpec] = Field(min_length=1, max_length=MAX_COLUMNS)
    key: list[ColumnName] | None = Field(
        default=None,
        min_length=1,
        description="Columns identifying a record: a later record with the same key replaces it.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError("column names must be unique")
        required = {column.name for column in self.columns if column.required}
        for name in self.key or []:
            if name not in required:
                raise ValueError(f"key column {name!r} must be a declared, required column")
        return self

    def column(self, name: str) -> ColumnSpec | None:
        """The column called `name`, if the schema declares it."""
        return next((column for column in self.columns if column.name == name), None)


class RecordsSubmitted(Event):
    """A batch of records (one or more) for a dataset, published by an upstream system.

    Each record is validated on its own: a bad record becomes a dead letter with its reason,
    and the rest of the batch proceeds.
    """

    dataset: DatasetSlug
    records: list[dict[str, JsonScalar]] = Field(min_length=1, max_length=MAX_RECORDS_PER_EVENT)
    run_id: UUID | None = None
    source: Annotated[str, Field(min_length=1, max_length=100)] = "upstream"
    submitted_at: datetime | None = None


class ValidRecord(Message):
    """One clean record: every declared column coerced (datetimes as UTC ISO 8601 text), and its key."""

    key: Sha256 = Field(description="sha256 of the key columns' values (all columns without a key).")
    data: dict[str, JsonScalar]


class RecordsValidated(Event):
    """The clean records of one submitted batch (bad ones became dead letters), for scoring.

    A batch whose clean form outgrows `MAX_RECORD_BATCH_BYTES` is split into several of these.
    """

    dataset: DatasetSlug
    records: list[ValidRecord] = Field(min_length=1, max_length=MAX_RECORDS_PER_EVENT)
    run_id: UUID | None = None
    source: Annotated[str, Field(min_length=1, max_length=100)] = "upstream"


class ScoredRecord(ValidRecord):
    """A clean record with its anomaly score; all three score fields are null without an active model."""

    anomaly_score: float | None = None
    is_anomaly: bool | None = None
    model_version: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class RecordsScored(Event):
    """Clean records with their anomaly scores, ready to store (an upsert per dataset and key)."""

    dataset: DatasetSlug
    records: list[ScoredRecord] = Field(min_length=1, max_length=MAX_RECORDS_PER_EVENT)
    run_id: UUID | None = None
    source: Annotated[str, Field(min_length=1, max_length=100)] = "upstream"


class RecordRejected(Message):
    """A record that failed validation, and why; `row` is its 0-based position in the batch."""

    row: int = Field(ge=0)
    reason: str = Field(max_length=MAX_REASON_CHARS)


class RecordSkipped(Message):
    """A record left out on purpose (not an error), e.g. a duplicate key later in the same batch."""

    row: int = Field(ge=0)
    reason: str = Field(max_length=MAX_REASON_CHARS)
