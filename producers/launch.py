"""The run launcher: claims a queued run and puts its work on the stream.

Every worker hears `StartRun`/`RetryRun` on the control topic; claiming the run in the database
(queued -> running, one conditional UPDATE) makes exactly one of them launch it. A periodic sweep
launches runs whose command nobody heard and completes live runs whose day is over.

A replay republishes stored inputs of the chosen documents to the task's first stage: the stored
bytes (`DocumentSubmitted`) for clean, the cleaned document (`DocumentCleaned`) for extract.
Fetch New Data fetches its sources first and registers what is new (`producers.fetch`).
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import structlog
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.periodic import every
from app.runs.gate import RunGate
from app.runs.live import day_is_over
from app.runs.tasks import TASKS, Launch, TaskDefinition
from app.storage.run_documents import (
    add_run_documents,
    cleaned_ids,
    select_documents,
    skip_unqueued,
)
from app.storage.run_tables import RunRow
from app.storage.runs import active_runs, claim_run
from app.storage.tables import DocumentRow
from producers.fetch import NewDataFetcher
from producers.replay import replay_event
from producers.rescore_run import RescoreRuns
from producers.run_steps import RunReporter
from producers.training_run import TrainingRuns
from schemas.documents import Stage
from schemas.runs import RunDocumentStatus, RunStatus
from schemas.topics import Topics

log = structlog.get_logger(__name__)
NO_SOURCES = "No sources configured: add or enable a source before running Fetch New Data."
NOT_CLEANED = "Not cleaned yet: run Clean PDF or Full Pipeline on it first."
PUBLISH_CHUNK = 200
UNHEARD_AFTER = timedelta(seconds=2)


@dataclass
class RunLauncher:
    """Launches runs for this process; one of all the processes wins each run."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics
    gate: RunGate
    fetcher: NewDataFetcher
    """Fetches the sources of Fetch New Data runs (producers/fetch.py)."""
    training: TrainingRuns
    """Trains the model of Train Model runs (producers/training_run.py)."""
    rescoring: RescoreRuns
    """Scores documents or records again for Rescore Data runs (producers/rescore_run.py)."""
    _pending: set[asyncio.Task[None]] = field(default_factory=set)
    _reporter: RunReporter = field(init=False)

    def __post_init__(self) -> None:
        self._reporter = RunReporter(self.sessions, self.broker, self.topics)

    def launch_soon(self, run_id: UUID) -> None:
        """Launch the run in the background (the control consumer must not wait for a big replay)."""
        task = asyncio.create_task(self._launch_logged(run_id))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def launch(self, run_id: UUID) -> None:
        """Claim the run and launch it; a no-op if another process claimed it, or it was cancelled."""
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            run = await claim_run(session, run_id, now)
        if run is None:
            return
        task = TASKS.get(run.task)
        match task.launch if task else None:
            case Launch.REPLAY:
                assert task is not None
                await self._replay(run, task)
            case Launch.FETCH:
                await self._fetch_new_data(run_id)
            case Launch.TRAIN:
                await self.training.launch(run)
            case Launch.RESCORE:
                await self.rescoring.launch(run)
            case _:
                await self._reporter.fail(run_id, "Not startable.")

    async def sweep(self) -> None:
        """Launch queued runs nobody launched; complete live runs whose day is over."""
        now = datetime.now(UTC)
        async with self.sessions() as session:
            runs = await active_runs(session)
        for run in runs:
            if run.status is RunStatus.QUEUED and now - run.created_at > UNHEARD_AFTER:
                await self.launch(run.id)
            elif run.live and day_is_over(run.day, now):
                await self._reporter.refresh(run.id)

    @contextlib.asynccontextmanager
    async def sweeping(self, interval: float) -> AsyncIterator[None]:
        """Sweep every `interval` seconds while the block runs; cancel launches in flight on exit."""
        try:
            async with every(interval, self.sweep, "run sweep"):
                yield
        finally:
            for running in self._pending:
                running.cancel()
            await asyncio.gather(*self._pending, return_exceptions=True)

    async def _launch_logged(self, run_id: UUID) -> None:
        try:
            await self.launch(run_id)
        except Exception as exc:
            log.exception("run launch failed", run_id=run_id)
            await self._reporter.fail(run_id, f"The run could not be launched: {type(exc).__name__}: {exc}")

    async def _replay(self, run: RunRow, task: TaskDefinition) -> None:
        async with self.sessions.begin() as session:
            documents = await select_documents(session, run.selection)
            ready = documents
            if task.first_stage is Stage.EXTRACT:
                cleaned = await cleaned_ids(session, [doc.id for doc in documents])
                ready = [doc for doc in documents if doc.id in cleaned]
            queued = {doc.id for doc in ready}
            entries = [
                (doc.id, RunDocumentStatus.QUEUED, None)
                if doc.id in queued
                else (doc.id, RunDocumentStatus.SKIPPED, NOT_CLEANED)
                for doc in documents
            ]
            await add_run_documents(session, run.id, entries)
        await self._reporter.refresh(run.id)
        log.info("run launched", run_id=run.id, task=task.slug, documents=len(documents), queued=len(ready))
        for start in range(0, len(ready), PUBLISH_CHUNK):
            if await self.gate.is_cancelled(run.id):
                await self._skip(run.id, [doc.id for doc in ready[start:]])
                return
            chunk = ready[start : start + PUBLISH_CHUNK]
            await asyncio.gather(*(self._publish(run.id, task.first_stage, doc) for doc in chunk))

    async def _fetch_new_data(self, run_id: UUID) -> None:
        outcome = await self.fetcher.fetch(run_id)
        if outcome.sources == 0:
            await self._reporter.fail(run_id, NO_SOURCES)
        elif outcome.failure is not None:
            await self._reporter.fail(run_id, outcome.failure)
        else:  # completes at once when nothing was new
            await self._reporter.refresh(run_id)

    async def _publish(self, run_id: UUID, stage: Stage, doc: DocumentRow) -> None:
        topic, event = replay_event(self.topics, run_id, stage, doc)
        await self.broker.publish(event, topic, key=doc.id.encode())

    async def _skip(self, run_id: UUID, doc_ids: Sequence[str]) -> None:
        async with self.sessions.begin() as session:
            await skip_unqueued(session, run_id, doc_ids, datetime.now(UTC))
        await self._reporter.refresh(run_id)
