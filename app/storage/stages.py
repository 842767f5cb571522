"""Per-document stage bookkeeping: which worker ran a stage, how often, and what it produced."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.tables import DocumentStageRow, StageStatus, table_of, utcnow
from app.storage.upsert import upsert


async def mark_stage_started(
    session: AsyncSession, doc_id: str, stage: str, worker: str, *, run_id: UUID | None = None
) -> None:
    """Record an attempt at `stage` by `worker` for `run_id` (each delivery counts one more attempt)."""
    stages = table_of(DocumentStageRow)
    now = utcnow()
    stmt = upsert(
        session,
        stages,
        keys=["doc_id", "stage"],
        set_={
            "status": StageStatus.RUNNING,
            "attempts": stages.c.attempts + 1,
            "worker": worker,
            "output_ref": None,
            "error": None,
            "started_at": now,
            "finished_at": None,
            "run_id": run_id,
        },
    ).values(
        doc_id=doc_id,
        stage=str(stage),
        status=StageStatus.RUNNING,
        attempts=1,
        worker=worker,
        started_at=now,
        run_id=run_id,
    )
    await session.execute(stmt)


async def mark_stage_completed(
    session: AsyncSession,
    doc_id: str,
    stage: str,
    worker: str,
    *,
    started_at: datetime,
    run_id: UUID | None = None,
    output_ref: str | None = None,
) -> None:
    """Record a whole attempt at a short stage in one statement: one more attempt, done, with its output.

    For stages that take milliseconds (clean, score, store) a separate "running" row would cost a
    transaction and tell nobody anything; an attempt that dies midway is simply redelivered.
    """
    stages = table_of(DocumentStageRow)
    outcome = {
        "status": StageStatus.DONE,
        "worker": worker,
        "output_ref": output_ref,
        "error": None,
        "started_at": started_at,
        "finished_at": utcnow(),
        "run_id": run_id,
    }
    stmt = upsert(
        session, stages, keys=["doc_id", "stage"], set_={"attempts": stages.c.attempts + 1, **outcome}
    )
    await session.execute(stmt.values(doc_id=doc_id, stage=str(stage), attempts=1, **outcome))


async def mark_stage_done(
    session: AsyncSession, doc_id: str, stage: str, *, output_ref: str | None = None
) -> None:
    """Record that `stage` finished, with what it produced (e.g. a result blob's sha256)."""
    await _finish(session, doc_id, stage, StageStatus.DONE, output_ref=output_ref, error=None)


async def mark_stage_failed(session: AsyncSession, doc_id: str, stage: str, error: str) -> None:
    """Record that `stage` gave up, and why."""
    await _finish(session, doc_id, stage, StageStatus.FAILED, output_ref=None, error=error)


async def get_stage(session: AsyncSession, doc_id: str, stage: str) -> DocumentStageRow | None:
    """One stage of one document, freshly read, or None."""
    return await session.get(DocumentStageRow, (doc_id, str(stage)), populate_existing=True)


async def list_stages(session: AsyncSession, doc_id: str) -> list[DocumentStageRow]:
    """Every stage recorded for a document, in the order they started."""
    rows = await session.scalars(
        select(DocumentStageRow)
        .where(DocumentStageRow.doc_id == doc_id)
        .order_by(DocumentStageRow.started_at, DocumentStageRow.stage)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def _finish(
    session: AsyncSession,
    doc_id: str,
    stage: str,
    status: StageStatus,
    *,
    output_ref: str | None,
    error: str | None,
) -> None:
    now = utcnow()
    outcome = {"status": status, "output_ref": output_ref, "error": error, "finished_at": now}
    stmt = upsert(session, table_of(DocumentStageRow), keys=["doc_id", "stage"], set_=outcome)
    # A finish without a recorded start (e.g. a worker that skipped the bookkeeping) still counts.
    await session.execute(stmt.values(doc_id=doc_id, stage=str(stage), attempts=1, started_at=now, **outcome))
