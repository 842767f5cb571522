"""Progress events: what each stage did with one document of a run, and the run's resulting state."""

from datetime import UTC, datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from schemas.base import DocId, Event
from schemas.runs import RunSnapshot


class Outcome(StrEnum):
    """What a stage did with a document."""

    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class DocumentProgressed(Event):
    """A stage finished with one document of a run: done, failed (dead-lettered) or skipped (cancelled).

    The aggregator applies each (run_id, doc_id, stage) idempotently, so a redelivery counts once.
    """

    run_id: UUID
    doc_id: DocId
    stage: str
    outcome: Outcome
    error: str | None = Field(default=None, max_length=2000)
    occurred_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


class RunProgressed(Event):
    """A run's state changed: its counts, rate, ETA or status. Consumed by every web process."""

    run: RunSnapshot
    sent_at: datetime = Field(
        default_factory=_now,
        description=(
            "When the sender sent this message: the publisher on the progress topic; on /ws/progress the "
            "web process, once per delivery (every client of a delivery gets the same time). Arrival "
            "time minus `sent_at` is how long the message travelled."
        ),
    )
