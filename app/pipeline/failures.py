"""Turn a permanent failure into a durable dead letter: recorded in the database before it is published."""

import uuid
from datetime import UTC, datetime

from app.errors import PermanentError
from app.pipeline.context import Pipeline
from app.storage.dead_letters import record_dead_letter
from app.storage.documents import mark_document_failed
from app.storage.stages import mark_stage_failed
from schemas.dead_letters import DeadLettered, DeadLetterReason

_PREVIEW_CHARS = 4000
_NAMESPACE = uuid.UUID("6f1b7c52-62a4-4b0e-9a57-2d1f0f5e8a10")


def preview(payload: bytes) -> str:
    """A printable, bounded view of a payload for people reading dead letters."""
    return payload[:_PREVIEW_CHARS].decode("utf-8", errors="replace")[:_PREVIEW_CHARS]


def dead_letter_id(stage: str, doc_id: str | None, payload: bytes) -> uuid.UUID:
    """The same failure of the same input is one dead letter, however often it is redelivered."""
    key = doc_id if doc_id is not None else payload.hex()[:4096]
    return uuid.uuid5(_NAMESPACE, f"{stage}:{key}")


async def dead_letter(
    pipeline: Pipeline,
    *,
    stage: str,
    topic: str,
    reason_code: DeadLetterReason,
    reason: str,
    payload: bytes,
    doc_id: str | None = None,
    run_id: uuid.UUID | None = None,
) -> DeadLettered:
    """Record the dead letter (and the document's failure, if known) and return the event to publish."""
    letter = DeadLettered(
        id=dead_letter_id(stage, doc_id, payload),
        stage=stage,
        topic=topic,
        reason_code=reason_code,
        reason=reason[:2000],
        doc_id=doc_id,
        run_id=run_id,
        payload_preview=preview(payload),
        occurred_at=datetime.now(UTC),
    )
    async with pipeline.sessions.begin() as session:
        await record_dead_letter(session, letter)
        if doc_id is not None:
            await mark_stage_failed(session, doc_id, stage, letter.reason)
            await mark_document_failed(session, doc_id, letter.reason)
    return letter


async def dead_letter_from_error(
    pipeline: Pipeline,
    error: PermanentError,
    *,
    stage: str,
    topic: str,
    payload: bytes,
    doc_id: str | None = None,
    run_id: uuid.UUID | None = None,
) -> DeadLettered:
    """`dead_letter` for a PermanentError raised by a stage."""
    return await dead_letter(
        pipeline,
        stage=stage,
        topic=topic,
        reason_code=error.reason_code,
        reason=error.reason,
        payload=payload,
        doc_id=doc_id,
        run_id=run_id,
    )
