"""Reading and recording run progress, each in its own transaction (with retries on a busy database)."""

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from app.runs.ledger import apply_run_reports
from app.runs.snapshot import snapshot_of
from app.storage.runs import get_run
from app.storage.tables import utcnow
from schemas.progress import DocumentProgressed
from schemas.runs import RunSnapshot


async def record_progress_batch(
    sessions: async_sessionmaker[AsyncSession], events: Sequence[DocumentProgressed]
) -> list[RunSnapshot]:
    """Apply a batch of stage reports in one transaction; the new state of each run that changed.

    Reports are grouped by run (keeping each run's order) and runs are locked in id order, so
    two batches never wait on each other's locks in opposite order. One snapshot per run, not
    one per report: a snapshot is the run's whole state, so the latest one supersedes the others.
    """
    if not events:
        return []
    by_run: dict[UUID, list[DocumentProgressed]] = {}
    for event in events:
        by_run.setdefault(event.run_id, []).append(event)
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(DBAPIError),
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=0.2, max=2),
        reraise=True,
    ):
        with attempt:
            async with sessions.begin() as session:
                now = utcnow()
                snapshots = []
                for run_id in sorted(by_run, key=str):
                    run = await apply_run_reports(session, run_id, by_run[run_id], now)
                    if run is not None:
                        snapshots.append(snapshot_of(run))
                return snapshots
    raise AssertionError("unreachable: AsyncRetrying either returns or raises")


async def read_snapshot(sessions: async_sessionmaker[AsyncSession], run_id: UUID) -> RunSnapshot | None:
    """The run's current state, or None if there is no such run."""
    async with sessions() as session:
        run = await get_run(session, run_id)
        return None if run is None else snapshot_of(run)
