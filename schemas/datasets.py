"""API bodies of datasets and their records: `/api/v1/datasets/*`."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from schemas.base import Message, Sha256
from schemas.records import ColumnSpec, JsonScalar

MAX_RECORDS_PER_REQUEST = 100_000


class ExportFormat(StrEnum):
    """How records are exported: CSV, JSON lines or Parquet."""

    CSV = "csv"
    JSONL = "jsonl"
    PARQUET = "parquet"


class DatasetRead(Message):
    """A dataset: its schema, where the schema came from, and how many records it holds."""

    name: str
    columns: list[ColumnSpec]
    key: list[str] | None = Field(description="Columns identifying a record; null: the whole record.")
    inferred: bool = Field(description="True when the schema was inferred from the first batch.")
    record_count: int
    created_at: datetime
    updated_at: datetime


class DatasetPage(Message):
    """Every dataset, by name."""

    items: list[DatasetRead]


class RecordsUpload(Message):
    """Records to ingest into a dataset; they are validated by the pipeline, not by this request."""

    records: list[dict[str, JsonScalar]] = Field(min_length=1, max_length=MAX_RECORDS_PER_REQUEST)


class RecordsAccepted(Message):
    """Records were published for validation; bad ones will appear as `invalid_record` dead letters."""

    dataset: str
    records: int = Field(description="How many records were published.")
    batches: int = Field(description="How many messages they travelled in.")


class RecordRead(Message):
    """One stored record with its anomaly score (null until the dataset has an active model)."""

    key: Sha256
    data: dict[str, JsonScalar]
    anomaly_score: float | None
    is_anomaly: bool | None
    model_version: str | None
    run_id: UUID | None
    ingested_at: datetime


class RecordPage(Message):
    """One page of a dataset's records, oldest first."""

    items: list[RecordRead]
    total: int
    limit: int
    offset: int
