"""Dead letters: inputs a stage gave up on, with a reason a person can act on."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from pydantic import Field

from schemas.base import DocId, Event


class DeadLetterReason(StrEnum):
    """Why an input could not be processed. All are permanent: retrying the same input fails again."""

    INVALID_EVENT = "invalid_event"
    NOT_PDF = "not_pdf"
    EMPTY = "empty"
    ENCRYPTED = "encrypted"
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    TOO_MANY_PAGES = "too_many_pages"
    FETCH_FAILED = "fetch_failed"
    EXTRACTION_FAILED = "extraction_failed"
    TIMEOUT = "timeout"
    INTERNAL_ERROR = "internal_error"
    INVALID_RECORD = "invalid_record"


class DeadLetterStatus(StrEnum):
    """What an operator did about a dead letter; the row is kept either way, for the record."""

    OPEN = "open"
    RETRIED = "retried"
    """Its input was sent through the pipeline again; failing again reopens it."""
    DISCARDED = "discarded"


class DeadLettered(Event):
    """A stage gave up on an input; it is kept, visible and retryable."""

    id: UUID
    stage: str
    topic: str
    reason_code: DeadLetterReason
    reason: str = Field(max_length=2000)
    doc_id: DocId | None = None
    run_id: UUID | None = None
    payload_preview: str = Field(default="", max_length=4000)
    occurred_at: datetime
