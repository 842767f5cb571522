"""Overview statistics: what the pipeline did per hour or day, how fast, and what is waiting."""

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from schemas.base import Message
from schemas.documents import DocumentStatus


class Bucket(StrEnum):
    """The width of one bar of a chart."""

    HOUR = "hour"
    DAY = "day"


class StatsBucket(Message):
    """What happened in one hour or day (UTC), starting at `start`."""

    start: datetime
    documents_received: int = Field(ge=0, description="Documents registered (uploads, ingest events).")
    documents_stored: int = Field(ge=0, description="Documents whose store stage finished.")
    pages_stored: int = Field(ge=0, description="Pages of the documents stored.")
    records_stored: int = Field(ge=0, description="Records stored for the first time (by key).")
    failures: int = Field(ge=0, description="Dead letters (documents, records and events).")


class Throughput(Message):
    """Averages over the whole window."""

    window_seconds: float = Field(gt=0)
    documents_per_minute: float = Field(ge=0)
    pages_per_second: float = Field(ge=0)
    records_per_minute: float = Field(ge=0)


class StageQueue(Message):
    """Documents waiting for (or in) a stage: their last finished stage is the one before it."""

    stage: str
    documents: int = Field(ge=0)


class StatsOverview(Message):
    """Per-bucket series over `[since, until)`, throughput, and the current queue per stage."""

    bucket: Bucket
    since: datetime = Field(description="Start of the first bucket (UTC).")
    until: datetime = Field(description="When the statistics were computed (UTC).")
    buckets: list[StatsBucket] = Field(
        description="Every bucket of the window, oldest first, empty ones too."
    )
    throughput: Throughput
    queue: list[StageQueue] = Field(
        description="In-flight documents (neither stored nor failed) by the stage they wait for, in order."
    )
    documents_by_status: dict[DocumentStatus, int]
    open_dead_letters: int = Field(ge=0, description="Dead letters nobody has retried or discarded yet.")
