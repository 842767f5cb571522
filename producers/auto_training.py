"""Run upkeep in every worker: automatic training after N new items, and runs whose worker stopped.

Every few seconds each worker process (1) fails running Train Model / record Rescore Data runs whose
worker has been silent far too long (it stopped; nothing else would ever end them), and (2) when
`HEADWATER_TRAIN_AFTER_NEW_DOCUMENTS` / `..._RECORDS` is set, starts a Train Model run for each
active model with that many new items since it was last trained. The run id is derived
(`app.runs.auto`), so however many workers check at once, one run is created and started.
"""

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import structlog
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.periodic import every
from app.runs.auto import automatic_run_id, due_round, retraining_of
from app.runs.parameters import training_of, training_parameters
from app.runs.snapshot import snapshot_of
from app.runs.steps import fail_abandoned
from app.runs.tasks import TRAIN_MODEL
from app.storage.rescoring import active_models, newest_model, records_since, stored_documents_since
from app.storage.runs import active_runs, create_run_once
from producers.progress import announce
from schemas.control import StartRun
from schemas.models import ModelKind, TrainModel
from schemas.runs import RunSnapshot, StartedBy, TriggerKind
from schemas.topics import Topics

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class Due:
    """An automatic training run that should exist."""

    run_id: UUID
    training: TrainModel
    reason: str


@dataclass(frozen=True, slots=True)
class RunUpkeep:
    """Starts automatic training runs and ends abandoned ones, for every worker process."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics
    after_documents: int = 0
    after_records: int = 0
    activate: bool = False

    async def sweep(self) -> list[RunSnapshot]:
        """One round: fail abandoned runs; start the automatic training runs that are due (and new)."""
        async with self.sessions.begin() as session:
            failed = [snapshot_of(run) for run in await fail_abandoned(session, datetime.now(UTC))]
        for snapshot in failed:
            log.warning("abandoned run failed", run_id=snapshot.id, task=snapshot.task)
            await announce(self.broker, self.topics, snapshot)
        if self.after_documents <= 0 and self.after_records <= 0:
            return []
        async with self.sessions() as session:
            due = await self.due(session)
        started = [await self._start(wanted) for wanted in due]
        return [snapshot for snapshot in started if snapshot is not None]

    async def due(self, session: AsyncSession) -> list[Due]:
        """The automatic training runs due now: active models with N new items and no training under way."""
        busy = {
            (training.kind, training.scope)
            for run in await active_runs(session)
            if run.task == TRAIN_MODEL and (training := training_of(run.parameters))
        }
        wanted = []
        for model in await active_models(session):
            records = model.kind is ModelKind.RECORD_ANOMALY
            threshold = self.after_records if records else self.after_documents
            if threshold <= 0 or (model.kind, model.scope) in busy:
                continue
            newest = await newest_model(session, model.kind, model.scope) or model
            if records:
                new = await records_since(session, model.scope, newest.created_at)
            else:
                new = await stored_documents_since(session, newest.created_at)
            round_ = due_round(new, threshold)
            if round_:
                items = "records" if records else "documents"
                wanted.append(
                    Due(
                        run_id=automatic_run_id(model.kind, model.scope, newest.version, round_),
                        training=retraining_of(model.kind, model.scope, model.params, activate=self.activate),
                        reason=f"threshold: {new} new {items} since {newest.version}",
                    )
                )
        return wanted

    async def _start(self, due: Due) -> RunSnapshot | None:
        """Create the run unless another worker did, then ask the workers to launch it."""
        now = datetime.now(UTC)
        by = StartedBy(kind=TriggerKind.AUTOMATIC, name=due.reason)
        async with self.sessions.begin() as session:
            run = await create_run_once(
                session,
                run_id=due.run_id,
                task=TRAIN_MODEL,
                parameters=training_parameters(due.training),
                started_by=(by.kind, by.name),
                now=now,
            )
            snapshot = None if run is None else snapshot_of(run)
        if snapshot is None:
            return None
        log.info("automatic training started", run_id=snapshot.id, reason=due.reason)
        command = StartRun(run_id=snapshot.id, task=TRAIN_MODEL, issued_by=by, issued_at=now)
        await self.broker.publish(command, self.topics.control, key=str(snapshot.id).encode())
        await announce(self.broker, self.topics, snapshot)
        return snapshot

    def sweeping(self, interval: float) -> contextlib.AbstractAsyncContextManager[None]:
        """Sweep every `interval` seconds while the block runs."""
        return every(interval, self.sweep, "run upkeep")
