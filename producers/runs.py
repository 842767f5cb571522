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
from app.runs.selection import Selection, failed_in, selection_of
from app.runs.snapshot import snapshot_of
from app.runs.tasks import get_task, retry_task
from app.storage.run_documents import count_run_documents, unknown_ids
from app.storage.runs import create_run, get_run
from producers.progress import announce
from schemas.control import CancelRun, RetryRun, StartRun
from schemas.runs import RunSnapshot, StartedBy
from schemas.topics import Topics


@dataclass(frozen=True, slots=True)
class RunCommands:
    """Starts, cancels and retries runs on behalf of API callers."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics

    async def start(self, task_slug: str, documents: str | list[str], by: StartedBy) -> RunSnapshot:
        """Queue a run of a task over the chosen documents; a worker launches it."""
        task = get_task(task_slug)
        if not task.startable:
            raise ConflictError(f"{task.name} runs by itself and cannot be started by hand")
        selection = selection_of(documents)
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            await self._check_selection(session, selection)
            run = await create_run(
                session,
                run_id=uuid.uuid4(),
                task=task.slug,
                selection=selection,
                started_by=(by.kind, by.name),
                now=now,
            )
            snapshot = snapshot_of(run)
        command = StartRun(run_id=run.id, task=task.slug, issued_by=by, issued_at=now)
        await self.broker.publish(command, self.topics.control, key=str(run.id).encode())
        await announce(self.broker, self.topics, snapshot)
        return snapshot

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
    async def _check_selection(session: AsyncSession, selection: Selection) -> None:
        if selection["kind"] == "ids":
            missing = await unknown_ids(session, selection["doc_ids"])
            if missing:
                raise NotFoundError(f"no document with id {', '.join(missing[:3])}")
        if selection["kind"] == "run" and await get_run(session, UUID(selection["run_id"])) is None:
            raise NotFoundError(f"no run with id {selection['run_id']}")
