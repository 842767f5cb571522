"""Reporting on runs a worker carries out itself (Train Model, Rescore Data): each change is committed
first, then announced on the progress topic like any run's."""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import structlog
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.runs.ledger import fail_run, refresh_run
from app.runs.snapshot import snapshot_of
from app.runs.steps import set_progress
from app.storage.runs import lock_run
from producers.progress import announce
from schemas.runs import RunSnapshot
from schemas.topics import Topics

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class RunReporter:
    """Writes a run's progress and announces it."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics

    async def progress(self, run_id: UUID, *, done: int, total: int, message: str | None) -> bool:
        """Set the run's counts and current step; False if it is no longer running (cancelled)."""
        async with self.sessions.begin() as session:
            run = await set_progress(
                session, run_id, done=done, total=total, message=message, now=datetime.now(UTC)
            )
            snapshot = None if run is None else snapshot_of(run)
        if snapshot is None:
            return False
        await announce(self.broker, self.topics, snapshot)
        return True

    async def refresh(self, run_id: UUID) -> None:
        """Recount the run (after adding its documents) and announce it."""
        async with self.sessions.begin() as session:
            run = await lock_run(session, run_id)
            snapshot = (
                None if run is None else snapshot_of(await refresh_run(session, run, datetime.now(UTC)))
            )
        if snapshot is not None:
            await announce(self.broker, self.topics, snapshot)

    async def announce(self, snapshot: RunSnapshot) -> None:
        """Announce a run's state, taken in a transaction the caller committed."""
        await announce(self.broker, self.topics, snapshot)

    async def fail(self, run_id: UUID, message: str) -> None:
        """Mark the run failed as a whole, with the reason a person reads."""
        async with self.sessions.begin() as session:
            run = await fail_run(session, run_id, message, datetime.now(UTC))
            snapshot = None if run is None else snapshot_of(run)
        if snapshot is not None:
            log.warning("run failed", run_id=run_id, reason=message)
            await announce(self.broker, self.topics, snapshot)
