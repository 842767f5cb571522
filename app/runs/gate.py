"""The run gate of one process: which runs are cancelled, what each run covers, which run a document joins.

Fed two ways: the control topic (`cancel`, immediate) and the database (a run's row is re-read at
most every `recheck_seconds`), so a process that started late or missed a command still stops.
"""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from uuid import UUID

import anyio
import structlog
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.runs.live import live_run_id, utc_day
from app.runs.tasks import LIVE_INGESTION, NEXT_STAGE, PIPELINE, TASKS
from app.storage.runs import ensure_live_run, get_run
from app.storage.tables import utcnow
from schemas.documents import DocumentSubmitted
from schemas.runs import FINAL_RUN_STATUSES, RunStatus

log = structlog.get_logger(__name__)
E = TypeVar("E", bound=BaseModel)
_MAX_CACHED_RUNS = 10_000


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What a stage needs to know about a run, and when it was read."""

    task: str
    status: RunStatus
    live: bool
    read_at: float

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages the run covers."""
        task = TASKS.get(self.task)
        return task.stages if task else PIPELINE


class RunGate:
    """Answers "is this run cancelled?" cheaply: an in-memory set, backed by the database."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        recheck_seconds: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._recheck_seconds = recheck_seconds
        self._clock = clock
        self._cancelled: set[UUID] = set()
        self._runs: dict[UUID, RunInfo] = {}

    def cancel(self, run_id: UUID) -> None:
        """A `CancelRun` arrived: skip the run's documents from now on."""
        self._cancelled.add(run_id)

    async def info(self, run_id: UUID) -> RunInfo | None:
        """The run's task, status and kind; re-read from the database when the cached copy is stale."""
        cached = self._runs.get(run_id)
        now = self._clock()
        if cached is not None and (
            cached.status in FINAL_RUN_STATUSES or now - cached.read_at < self._recheck_seconds
        ):
            return cached
        async with self._sessions() as session:
            row = await get_run(session, run_id)
        if row is None:
            return None
        if len(self._runs) >= _MAX_CACHED_RUNS:
            self._runs.clear()
        self._runs[run_id] = info = RunInfo(row.task, row.status, row.live, now)
        if row.status is RunStatus.CANCELLED:
            self._cancelled.add(run_id)
        return info

    async def is_cancelled(self, run_id: UUID | None) -> bool:
        """True if the run was cancelled (documents without a run never are)."""
        if run_id is None:
            return False
        if run_id in self._cancelled:
            return True
        info = await self.info(run_id)
        return info is not None and info.status is RunStatus.CANCELLED

    async def continues_after(self, run_id: UUID | None, stage: str) -> bool:
        """Whether a document of the run goes on to the next stage (a Clean PDF run stops after clean)."""
        following = NEXT_STAGE.get(stage)
        if run_id is None or following is None:
            return True
        info = await self.info(run_id)
        return info is None or following in info.stages

    async def redoes(self, run_id: UUID | None, done_by: UUID | None) -> bool:
        """Whether a stage that is already done must be done again for this run.

        Only a replay (a run started on purpose) redoes work, once per run; live ingestion and
        redelivered events re-announce the stored result instead.
        """
        if run_id is None or run_id == done_by:
            return False
        info = await self.info(run_id)
        return info is not None and not info.live

    async def admit(self, event: E) -> E:
        """The event with its run: a submitted document without one joins its source's live run today."""
        if not isinstance(event, DocumentSubmitted):
            return event
        if event.run_id is not None and await self.info(event.run_id) is not None:
            return event
        now = utcnow()
        run_id = event.run_id or live_run_id(event.source, utc_day(now))
        if run_id not in self._runs:
            async with self._sessions.begin() as session:
                await ensure_live_run(
                    session,
                    run_id=run_id,
                    task=LIVE_INGESTION,
                    source=event.source,
                    day=utc_day(now),
                    now=now,
                )
            self._runs[run_id] = RunInfo(LIVE_INGESTION, RunStatus.RUNNING, True, self._clock())
        return event.model_copy(update={"run_id": run_id})

    @contextlib.asynccontextmanager
    async def watch(self, run_id: UUID | None, flag: Path, interval: float = 0.2) -> AsyncIterator[None]:
        """While the block runs, create the file `flag` as soon as the run is cancelled.

        Extraction runs in another process; it checks for this file between pages.
        """
        if run_id is None:
            yield
            return

        async def poll() -> None:
            while True:
                try:
                    if await self.is_cancelled(run_id):
                        await anyio.Path(flag).touch()
                        return
                except Exception as exc:  # keep watching; a database hiccup must not end the watch
                    log.warning("could not check the run for cancellation", run_id=run_id, error=repr(exc))
                await asyncio.sleep(interval)

        watcher = asyncio.create_task(poll())
        try:
            yield
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
