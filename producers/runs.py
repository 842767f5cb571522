"""Run commands from the API: start, cancel and retry runs.

Each command's effect is committed to the database first (the source of truth), then the command
is published on the control topic for every worker, then the run's new state on the progress topic.
A cancel is acknowledged only after both: from then on no stage commits work of that run.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import ConflictError, NotFoundError
from app.runs.ledger import cancel_run
from app.runs.parameters import parameters_for
from app.runs.selection import Selection, failed_in, selection_of
from app.runs.snapshot import snapshot_of
from app.runs.tasks import get_task, retry_task
from app.storage.records import get_dataset
from app.storage.run_documents import count_run_documents, unknown_ids
from app.storage.runs import create_run, get_run
from producers.progress import announce
from schemas.control import CancelRun, RetryRun, StartRun
from schemas.models import ModelKind, TrainModel
from schemas.runs import RunSnapshot, StartedBy
from schemas.topics import Topics


@dataclass(frozen=True, slots=True)
class QueuedRun:
    """A run added in a transaction, and the command that launches it once that is committed."""

    snapshot: RunSnapshot
    command: StartRun


@dataclass(frozen=True, slots=True)
class RunCommands:
    """Starts, cancels and retries runs on behalf of API callers."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics

    async def start(
        self,
        task_slug: str,
        documents: str | list[str],
        by: StartedBy,
        *,
        model: TrainModel | None = None,
        dataset: str | None = None,
    ) -> RunSnapshot:
        """Queue a run of a task over the chosen documents (or with its parameters); a worker launches it."""
        async with self.sessions.begin() as session:
            queued = await self.queue(session, task_slug, documents, by, model=model, dataset=dataset)
        await self.publish(queued)
        return queued.snapshot

    async def queue(
        self,
        session: AsyncSession,
        task_slug: str,
        documents: str | list[str],
        by: StartedBy,
        *,
        model: TrainModel | None = None,
        dataset: str | None = None,
    ) -> QueuedRun:
        """Add the queued run in the caller's transaction; `publish` it once that is committed.

        A run committed but never published is still launched: workers sweep for unheard runs.
        """
        task = get_task(task_slug)
        if not task.startable:
            raise ConflictError(f"{task.name} runs by itself and cannot be started by hand")
        parameters = parameters_for(task, documents=documents, model=model, dataset=dataset)
        selection = selection_of(documents)
        now = datetime.now(UTC)
        await self._check_selection(session, selection)
        trains_on = model.scope if model and model.kind is ModelKind.RECORD_ANOMALY else None
        await self._check_dataset(session, dataset or trains_on)
        run = await create_run(
            session,
            run_id=uuid.uuid4(),
            task=task.slug,
            selection=selection,
            started_by=(by.kind, by.name),
            now=now,
            parameters=parameters,
        )
        command = StartRun(run_id=run.id, task=task.slug, issued_by=by, issued_at=now)
        return QueuedRun(snapshot_of(run), command)

    async def publish(self, queued: QueuedRun) -> None:
        """Tell every worker about a committed queued run, and announce its state."""
        key = str(queued.command.run_id).encode()
        await self.broker.publish(queued.command, self.topics.control, key=key)
        await announce(self.broker, self.topics, queued.snapshot)

    async def cancel(self, run_id: UUID, by: StartedBy) -> RunSnapshot:
        """Cancel a run: committed, then announced to every worker, before this returns."""
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            run = await cancel_run(session, run_id, now)
            if run is None:
                raise NotFoundError("run not found")
            snapshot = snapshot_of(run)
        await self.broker.publish(
            CancelRun(run_id=run_id, issued_by=by, issued_at=now),
            self.topics.control,
            key=str(run_id).encode(),
        )
        await announce(self.broker, self.topics, snapshot)
        return snapshot

    async def retry(self, run_id: UUID, by: StartedBy) -> RunSnapshot:
        """Queue a new run of the same task over the documents that failed in `run_id`."""
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            original = await get_run(session, run_id)
            if original is None:
                raise NotFoundError("run not found")
            if (await count_run_documents(session, run_id)).failed == 0:
                raise ConflictError("the run has no failed documents to retry")
            run = await create_run(
                session,
                run_id=uuid.uuid4(),
                task=retry_task(original.task).slug,
                selection=failed_in(run_id),
                started_by=(by.kind, by.name),
                now=now,
                retry_of=run_id,
            )
            snapshot = snapshot_of(run)
        command = RetryRun(run_id=run.id, retry_of=run_id, issued_by=by, issued_at=now)
        await self.broker.publish(command, self.topics.control, key=str(run.id).encode())
        await announce(self.broker, self.topics, snapshot)
        return snapshot

    @staticmethod
    async def _check_dataset(session: AsyncSession, dataset: str | None) -> None:
        if dataset is not None and await get_dataset(session, dataset) is None:
            raise NotFoundError(f"no dataset named {dataset!r}")

    @staticmethod
    async def _check_selection(session: AsyncSession, selection: Selection) -> None:
        if selection["kind"] == "ids":
            missing = await unknown_ids(session, selection["doc_ids"])
            if missing:
                raise NotFoundError(f"no document with id {', '.join(missing[:3])}")
        if selection["kind"] == "run" and await get_run(session, UUID(selection["run_id"])) is None:
            raise NotFoundError(f"no run with id {selection['run_id']}")
