"""Dead letters: inputs a stage gave up on, kept so a person can see, retry or discard them.

A letter is never deleted: retrying or discarding it changes its `status` and records who did it
and when. A retried input that fails again comes back under the same id, reopened.
"""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.tables import DeadLetterRow, table_of
from app.storage.upsert import upsert
from schemas.dead_letters import DeadLettered, DeadLetterStatus


async def record_dead_letter(session: AsyncSession, letter: DeadLettered) -> bool:
    """Keep a dead letter; a redelivered one (same id) is ignored unless it was retried. True if new."""
    dead_letters = table_of(DeadLetterRow)
    occurred_at = letter.occurred_at
    if occurred_at.tzinfo is None:  # the wire schema allows naive times; producers send UTC
        occurred_at = occurred_at.replace(tzinfo=UTC)
    values = {
        "stage": letter.stage,
        "topic": letter.topic,
        "reason_code": str(letter.reason_code),
        "reason": letter.reason,
        "doc_id": letter.doc_id,
        "run_id": letter.run_id,
        "payload_preview": letter.payload_preview,
        "occurred_at": occurred_at,
    }
    # A retried input failing again is a new failure of the same input: reopen the letter with the
    # new reason. An open or discarded letter stays as it is (a redelivery changes nothing).
    reopened = {
        **values,
        "status": DeadLetterStatus.OPEN.value,
        "resolved_at": None,
        "resolved_by": None,
        "retry_run_id": None,
    }
    stmt = (
        upsert(
            session,
            dead_letters,
            keys=["id"],
            set_=reopened,
            where=dead_letters.c.status == DeadLetterStatus.RETRIED.value,
        )
        .values(id=letter.id, status=DeadLetterStatus.OPEN.value, **values)
        .returning(dead_letters.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def get_dead_letter(session: AsyncSession, letter_id: UUID) -> DeadLetterRow | None:
    """One dead letter, freshly read, or None."""
    return await session.get(DeadLetterRow, letter_id, populate_existing=True)


async def resolve_dead_letter(
    session: AsyncSession, letter_id: UUID, status: DeadLetterStatus, *, by: str, now: datetime
) -> DeadLetterRow | None:
    """Mark an open letter retried or discarded; None if it is not open (or does not exist)."""
    stmt = (
        update(DeadLetterRow)
        .where(DeadLetterRow.id == letter_id, DeadLetterRow.status == DeadLetterStatus.OPEN)
        .values(status=status, resolved_at=now, resolved_by=by[:255])
        .returning(DeadLetterRow)
        .execution_options(populate_existing=True, synchronize_session=False)
    )
    return (await session.scalars(stmt)).one_or_none()


async def set_retry_run(session: AsyncSession, letter_id: UUID, run_id: UUID | None) -> None:
    """Remember the run that retries a letter's document."""
    await session.execute(
        update(DeadLetterRow).where(DeadLetterRow.id == letter_id).values(retry_run_id=run_id)
    )


async def reopen_dead_letter(session: AsyncSession, letter_id: UUID) -> None:
    """Undo a retry whose input could not be sent again."""
    await session.execute(
        update(DeadLetterRow)
        .where(DeadLetterRow.id == letter_id)
        .values(status=DeadLetterStatus.OPEN, resolved_at=None, resolved_by=None, retry_run_id=None)
    )


async def list_dead_letters(
    session: AsyncSession,
    *,
    limit: int,
    offset: int = 0,
    stage: str | None = None,
    status: DeadLetterStatus | None = None,
) -> tuple[list[DeadLetterRow], int]:
    """One page of dead letters, newest first, and how many match in total."""
    criteria = [] if stage is None else [DeadLetterRow.stage == stage]
    if status is not None:
        criteria.append(DeadLetterRow.status == status)
    total = await session.scalar(select(func.count()).select_from(DeadLetterRow).where(*criteria))
    rows = await session.scalars(
        select(DeadLetterRow)
        .where(*criteria)
        .order_by(DeadLetterRow.occurred_at.desc(), DeadLetterRow.id)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return list(rows), total or 0
