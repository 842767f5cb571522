"""Runs: create, claim, lock, cancel and list them.

Concurrency rule: every transaction that changes a run starts by locking its row (`lock_run`, an
UPDATE), so on PostgreSQL it holds the row lock and on SQLite the write lock before it reads the
run; decisions are then made on the run's latest state, never on a stale read.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import RunCancelled
from app.storage.run_tables import RunRow
from app.storage.tables import table_of
from app.storage.upsert import upsert
from schemas.runs import RunStatus, TriggerKind

FRESH_COUNTERS: dict[str, int] = {
    "total": 0,
    "done": 0,
    "failed": 0,
    "skipped": 0,
    "rate_sampled_count": 0,
    "revision": 0,
}
"""Counts, ETA sample and revision of a run that has not processed anything yet."""


async def create_run(
    session: AsyncSession,
    *,
    run_id: UUID,
    task: str,
    selection: dict[str, Any],
    started_by: tuple[TriggerKind, str | None],
    now: datetime,
    retry_of: UUID | None = None,
    parameters: dict[str, Any] | None = None,
) -> RunRow:
    """Insert a queued run."""
    row = RunRow(
        id=run_id,
        task=task,
        status=RunStatus.QUEUED,
        live=False,
        selection=selection,
        parameters=parameters,
        retry_of=retry_of,
        started_by_kind=started_by[0],
        started_by_name=started_by[1],
        **FRESH_COUNTERS,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def ensure_live_run(
    session: AsyncSession, *, run_id: UUID, task: str, source: str, day: date | None, now: datetime
) -> bool:
    """Create the standing live-ingestion run unless it exists; True if it was created."""
    runs = table_of(RunRow)
    stmt = (
        upsert(session, runs, keys=["id"])
        .values(
            id=run_id,
            task=task,
            status=RunStatus.RUNNING,
            live=True,
            source=source,
            day=day,
            selection={"kind": "live"},
            started_by_kind=TriggerKind.UPSTREAM,
            started_by_name=source,
            **FRESH_COUNTERS,
            created_at=now,
            started_at=now,
            updated_at=now,
        )
        .returning(runs.c.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def create_run_once(
    session: AsyncSession,
    *,
    run_id: UUID,
    task: str,
    parameters: dict[str, Any],
    started_by: tuple[TriggerKind, str | None],
    now: datetime,
) -> RunRow | None:
    """Insert a queued run with a derived id unless it exists; the new run, or None if another made it."""
    runs = table_of(RunRow)
    stmt = (
        upsert(session, runs, keys=["id"])
        .values(
            id=run_id,
            task=task,
            status=RunStatus.QUEUED,
            live=False,
            selection={"kind": "all"},
            parameters=parameters,
            started_by_kind=started_by[0],
            started_by_name=started_by[1],
            **FRESH_COUNTERS,
            created_at=now,
            updated_at=now,
        )
        .returning(runs.c.id)
    )
    if (await session.execute(stmt)).scalar_one_or_none() is None:
        return None
    return await get_run(session, run_id)


async def get_run(session: AsyncSession, run_id: UUID) -> RunRow | None:
    """The run, freshly read, or None."""
    return await session.get(RunRow, run_id, populate_existing=True)


async def lock_run(session: AsyncSession, run_id: UUID) -> RunRow | None:
    """Lock the run for the rest of the transaction (a no-op UPDATE); None if it does not exist."""
    locked = await session.execute(
        update(RunRow).where(RunRow.id == run_id).values(revision=RunRow.revision).returning(RunRow.id)
    )
    if locked.scalar_one_or_none() is None:
        return None
    return await get_run(session, run_id)


async def claim_run(session: AsyncSession, run_id: UUID, now: datetime) -> RunRow | None:
    """Move a queued run to running; exactly one of several concurrent claimers gets the row."""
    claimed = await session.execute(
        update(RunRow)
        .where(RunRow.id == run_id, RunRow.status == RunStatus.QUEUED)
        .values(status=RunStatus.RUNNING, started_at=now, updated_at=now, revision=RunRow.revision + 1)
        .returning(RunRow.id)
    )
    if claimed.scalar_one_or_none() is None:
        return None
    return await get_run(session, run_id)


async def ensure_run_active(session: AsyncSession, run_id: UUID | None) -> None:
    """Raise RunCancelled if the run is cancelled; call it after the transaction's first write.

    On PostgreSQL the row is share-locked until commit, so a concurrent cancel either commits first
    (and this raises) or waits for this transaction; on SQLite the transaction's first write already
    holds the database's write lock. Either way no stage commits work after a cancel committed.
    """
    if run_id is None:
        return
    status = await session.scalar(select(RunRow.status).where(RunRow.id == run_id).with_for_update(read=True))
    if status is RunStatus.CANCELLED:
        raise RunCancelled(f"run {run_id} was cancelled")


async def list_runs(
    session: AsyncSession,
    *,
    limit: int,
    offset: int = 0,
    task: str | None = None,
    status: RunStatus | None = None,
    live: bool | None = None,
) -> tuple[list[RunRow], int]:
    """One page of runs, newest first, and how many match in total."""
    criteria = []
    if task is not None:
        criteria.append(RunRow.task == task)
    if status is not None:
        criteria.append(RunRow.status == status)
    if live is not None:
        criteria.append(RunRow.live.is_(live))
    total = await session.scalar(select(func.count()).select_from(RunRow).where(*criteria))
    rows = await session.scalars(
        select(RunRow)
        .where(*criteria)
        .order_by(RunRow.created_at.desc(), RunRow.id)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return list(rows), total or 0


async def last_run_of(session: AsyncSession, task: str) -> RunRow | None:
    """The newest run of a task, or None."""
    return await session.scalar(
        select(RunRow).where(RunRow.task == task).order_by(RunRow.created_at.desc(), RunRow.id).limit(1)
    )


async def active_runs(session: AsyncSession) -> list[RunRow]:
    """Queued and running runs, oldest first."""
    rows = await session.scalars(
        select(RunRow)
        .where(RunRow.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
        .order_by(RunRow.created_at, RunRow.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)
