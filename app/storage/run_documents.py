"""The documents of a run: which ones, how far each got, and the counts derived from them.

Counts are always recomputed from these rows (never incremented blindly), so a redelivered
progress event or a repeated join cannot count a document twice.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.run_tables import RunDocumentRow, RunRow
from app.storage.tables import DocumentRow, DocumentStageRow, StageStatus, table_of, utcnow
from app.storage.upsert import upsert
from schemas.documents import DocumentStatus, Stage
from schemas.runs import RunCounts, RunDocumentStatus, RunStatus


async def join_run(session: AsyncSession, run_id: UUID, doc_id: str) -> bool:
    """Add a document to a run as queued unless it is in it already; True if it was added."""
    rows = table_of(RunDocumentRow)
    stmt = (
        upsert(session, rows, keys=["run_id", "doc_id"])
        .values(run_id=run_id, doc_id=doc_id, status=RunDocumentStatus.QUEUED, updated_at=utcnow())
        .returning(rows.c.doc_id)
    )
    added = (await session.execute(stmt)).scalar_one_or_none() is not None
    if added:  # guarded by the insert, so a repeated join does not count twice
        await session.execute(update(RunRow).where(RunRow.id == run_id).values(total=RunRow.total + 1))
    return added


async def add_run_documents(
    session: AsyncSession, run_id: UUID, entries: Sequence[tuple[str, RunDocumentStatus, str | None]]
) -> None:
    """Add many (doc_id, status, error) to a run at once; documents already in it are left alone."""
    if not entries:
        return
    now = utcnow()
    stmt = upsert(session, table_of(RunDocumentRow), keys=["run_id", "doc_id"])
    await session.execute(
        stmt,
        [
            {"run_id": run_id, "doc_id": doc_id, "status": status, "error": error, "updated_at": now}
            for doc_id, status, error in entries
        ],
    )
    await session.execute(
        update(DocumentRow)
        .where(DocumentRow.id.in_([doc_id for doc_id, _, _ in entries]))
        .values(run_id=run_id)
    )


async def get_run_document(session: AsyncSession, run_id: UUID, doc_id: str) -> RunDocumentRow | None:
    """One document of a run, freshly read, or None."""
    return await session.get(RunDocumentRow, (run_id, doc_id), populate_existing=True)


async def count_run_documents(session: AsyncSession, run_id: UUID) -> RunCounts:
    """The run's counts, derived from its documents' statuses."""
    rows = await session.execute(
        select(RunDocumentRow.status, func.count())
        .where(RunDocumentRow.run_id == run_id)
        .group_by(RunDocumentRow.status)
    )
    by_status = {RunDocumentStatus(status): count for status, count in rows}
    return RunCounts(
        total=sum(by_status.values()),
        done=by_status.get(RunDocumentStatus.DONE, 0),
        failed=by_status.get(RunDocumentStatus.FAILED, 0),
        skipped=by_status.get(RunDocumentStatus.SKIPPED, 0),
    )


async def list_run_documents(
    session: AsyncSession,
    run_id: UUID,
    *,
    limit: int,
    offset: int = 0,
    status: RunDocumentStatus | None = None,
) -> tuple[list[tuple[RunDocumentRow, str | None]], int]:
    """One page of a run's documents (with their file names), and how many match in total."""
    criteria: list[Any] = [RunDocumentRow.run_id == run_id]
    if status is not None:
        criteria.append(RunDocumentRow.status == status)
    total = await session.scalar(select(func.count()).select_from(RunDocumentRow).where(*criteria))
    rows = await session.execute(
        select(RunDocumentRow, DocumentRow.filename)
        .join(DocumentRow, DocumentRow.id == RunDocumentRow.doc_id)
        .where(*criteria)
        .order_by(RunDocumentRow.doc_id)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return [(row, filename) for row, filename in rows], total or 0


async def select_documents(session: AsyncSession, selection: dict[str, Any]) -> list[DocumentRow]:
    """The documents a run's selection names, oldest first."""
    query = select(DocumentRow).order_by(DocumentRow.created_at, DocumentRow.id)
    kind = selection["kind"]
    if kind == "failed":
        query = query.where(DocumentRow.status == DocumentStatus.FAILED)
    elif kind == "ids":
        query = query.where(DocumentRow.id.in_(selection["doc_ids"]))
    elif kind in ("run", "failed_in_run"):
        members = select(RunDocumentRow.doc_id).where(RunDocumentRow.run_id == UUID(selection["run_id"]))
        if kind == "failed_in_run":
            members = members.where(RunDocumentRow.status == RunDocumentStatus.FAILED)
        query = query.where(DocumentRow.id.in_(members))
    elif kind != "all":
        raise ValueError(f"unknown selection {kind!r}")
    return list(await session.scalars(query.execution_options(populate_existing=True)))


async def cleaned_ids(session: AsyncSession, doc_ids: Sequence[str]) -> set[str]:
    """Which of these documents passed the clean stage (an extract replay needs that as its input)."""
    rows = await session.scalars(
        select(DocumentStageRow.doc_id).where(
            DocumentStageRow.doc_id.in_(doc_ids),
            DocumentStageRow.stage == Stage.CLEAN,
            DocumentStageRow.status == StageStatus.DONE,
        )
    )
    return set(rows)


async def unknown_ids(session: AsyncSession, doc_ids: Sequence[str]) -> list[str]:
    """The ids among `doc_ids` that are not registered documents."""
    known = set(await session.scalars(select(DocumentRow.id).where(DocumentRow.id.in_(doc_ids))))
    return [doc_id for doc_id in doc_ids if doc_id not in known]


async def set_run_document(
    session: AsyncSession,
    run_id: UUID,
    doc_id: str,
    *,
    status: RunDocumentStatus,
    stage: str | None,
    error: str | None,
    now: datetime,
) -> None:
    """Write a run document's state (inserting it if the run never listed it)."""
    stmt = upsert(
        session,
        table_of(RunDocumentRow),
        keys=["run_id", "doc_id"],
        set_={"status": status, "stage": stage, "error": error, "updated_at": now},
    )
    await session.execute(
        stmt.values(run_id=run_id, doc_id=doc_id, status=status, stage=stage, error=error, updated_at=now)
    )


async def pending_replays(session: AsyncSession) -> list[tuple[UUID, str, DocumentRow]]:
    """(run id, task, document) for unfinished documents of running replays that are stored or failed.

    The document reconciler resumes only documents that are neither stored nor failed; a replay of a
    finished document interrupted by a restart would otherwise wait forever.
    """
    rows = await session.execute(
        select(RunRow.id, RunRow.task, DocumentRow)
        .join(RunDocumentRow, RunDocumentRow.run_id == RunRow.id)
        .join(DocumentRow, DocumentRow.id == RunDocumentRow.doc_id)
        .where(
            RunRow.status == RunStatus.RUNNING,
            RunRow.live.is_(False),
            RunDocumentRow.status.in_((RunDocumentStatus.QUEUED, RunDocumentStatus.RUNNING)),
            DocumentRow.status.in_((DocumentStatus.STORED, DocumentStatus.FAILED)),
        )
        .order_by(RunRow.created_at, DocumentRow.created_at)
        .execution_options(populate_existing=True)
    )
    return [(run_id, task, document) for run_id, task, document in rows]


CANCELLED_BEFORE_QUEUED = "The run was cancelled before the document was queued."


async def skip_unqueued(session: AsyncSession, run_id: UUID, doc_ids: Sequence[str], now: datetime) -> None:
    """Mark documents a cancelled run never queued as skipped, saying so."""
    for doc_id in doc_ids:
        await set_run_document(
            session,
            run_id,
            doc_id,
            status=RunDocumentStatus.SKIPPED,
            stage=None,
            error=CANCELLED_BEFORE_QUEUED,
            now=now,
        )
