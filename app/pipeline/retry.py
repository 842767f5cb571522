"""What a dead letter's input is, so an operator can send it through the pipeline again.

A document's input is its stored bytes (the blob named by its id): a retry is a Full Pipeline run
of it. A rejected record's input is the record itself, kept whole in the letter's payload. Other
letters (an event that was not JSON, a URL that could not be fetched) keep no input to send again:
the upstream system has to send it again.
"""

import json
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from app.errors import ConflictError
from app.pipeline.records import STAGE as VALIDATE_RECORDS
from app.storage.tables import DeadLetterRow
from schemas.dead_letters import DeadLetterReason
from schemas.records import DatasetSlug, JsonScalar

RETRY_TASK = "full-pipeline"
"""The task that retries a document: every stage again, from its stored bytes."""


@dataclass(frozen=True, slots=True)
class DocumentInput:
    """A stored document, retried by a run over it."""

    doc_id: str


class RecordInput(BaseModel):
    """A rejected record and its dataset, retried by publishing it again (as the dead letter keeps it)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    dataset: DatasetSlug
    record: dict[str, JsonScalar]


def retry_input(letter: DeadLetterRow) -> DocumentInput | RecordInput:
    """The input to send again, or ConflictError saying why there is none."""
    if letter.doc_id is not None:
        return DocumentInput(letter.doc_id)
    if letter.stage == VALIDATE_RECORDS and letter.reason_code == DeadLetterReason.INVALID_RECORD:
        try:
            return RecordInput.model_validate(json.loads(letter.payload_preview))
        except (ValueError, ValidationError):
            raise ConflictError(
                "The record was too large to keep whole in the dead letter; send it again."
            ) from None
    raise ConflictError(
        f"The dead letter ({letter.reason_code}) keeps no stored document or record to retry; "
        "the system that sent it must send it again."
    )
