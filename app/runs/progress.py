"""Reading and recording run progress, each in its own transaction (with retries on a busy database)."""

from uuid import UUID

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from app.runs.ledger import apply_progress
from app.runs.snapshot import snapshot_of
from app.storage.runs import get_run
from app.storage.tables import utcnow
from schemas.progress import DocumentProgressed
from schemas.runs import RunSnapshot


async def record_progress(
    sessions: async_sessionmaker[AsyncSession], event: DocumentProgressed
) -> RunSnapshot | None:
    """Apply one stage report to its run; the run's new state, or None if nothing changed."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(DBAPIError),
        stop=stop_after_attempt(3),
        wait=wait_exponential(multiplier=0.2, max=2),
        reraise=True,
    ):
        with attempt:
            async with sessions.begin() as session:
                run = await apply_progress(session, event, utcnow())
                return None if run is None else snapshot_of(run)
    raise AssertionError("unreachable: AsyncRetrying either returns or raises")


async def read_snapshot(sessions: async_sessionmaker[AsyncSession], run_id: UUID) -> RunSnapshot | None:
    """The run's current state, or None if there is no such run."""
    async with sessions() as session:
        run = await get_run(session, run_id)
        return None if run is None else snapshot_of(run)
