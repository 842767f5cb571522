"""Dead letters: inputs a stage gave up on, kept so a person can see and retry them."""

from datetime import UTC

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.tables import DeadLetterRow, table_of
from app.storage.upsert import upsert
from schemas.dead_letters import DeadLettered


async def record_dead_letter(session: AsyncSession, letter: DeadLettered) -> bool:
    """Keep a dead letter; a redelivered one (same id) is ignored. True if it was new."""
    dead_letters = table_of(DeadLetterRow)
    occurred_at = letter.occurred_at
    if occurred_at.tzinfo is None:  # the wire schema allows naive times; producers send UTC
        occurred_at = occurred_at.replace(tzinfo=UTC)
    stmt = (
        upsert(session, dead_letters, keys=["id"])
        .values(
            id=letter.id,
            stage=letter.stage,
            topic=letter.topic,
            reason_code=str(letter.reason_code),
            reason=letter.reason,
            doc_id=letter.doc_id,
            run_id=letter.run_id,
            payload_preview=letter.payload_preview,
            occurred_at=occurred_at,
        )
        .returning(dead_letters.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def list_dead_letters(
    session: AsyncSession, *, limit: int, offset: int = 0, stage: str | None = None
) -> tuple[list[DeadLetterRow], int]:
    """One page of dead letters, newest first, and how many match in total."""
    criteria = [] if stage is None else [DeadLetterRow.stage == stage]
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
