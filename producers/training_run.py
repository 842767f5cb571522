"""Train Model runs: the worker that claimed the run trains in a process pool of its own and counts steps.

Steps: load the training data, fit and cross-validate (in a `spawn` worker process: the event loop
never waits on scikit-learn), save (artifact to the blob store, model registered) and, if asked,
activate. Each step is committed and announced like any run's progress. The run completes with the
model's id and version, or fails with the reason (e.g. too few labelled documents). Cancelling stops
the worker process; registering and activating happen under the run's lock, so a cancelled run
registers nothing.
"""

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.errors import ConflictError, NotFoundError
from app.registry.training import TRAINING_TIMEOUT_SECONDS, Trainer, TrainingAbandoned
from app.runs.gate import RunGate
from app.runs.ledger import refresh_run
from app.runs.parameters import training_of
from app.runs.snapshot import snapshot_of
from app.runs.steps import training_steps
from app.storage.models import activate_model, get_model, register_model
from app.storage.run_tables import RunRow
from app.storage.runs import lock_run
from producers.models import announce_activation
from producers.run_steps import RunReporter
from schemas.models import ModelInfo, ModelKind, TrainModel
from schemas.runs import RunStatus, StartedBy
from schemas.topics import Topics

log = structlog.get_logger(__name__)
CANCEL_POLL_SECONDS = 0.5


def describe(request: TrainModel) -> str:
    """What is trained, as a person says it: "a document classifier", "an anomaly model for 'orders'"."""
    match request.kind:
        case ModelKind.DOCUMENT_CLASSIFIER:
            return "a document classifier"
        case ModelKind.DOCUMENT_TOPICS:
            return "a document topics model"
        case ModelKind.RECORD_ANOMALY:
            return f"an anomaly model for {request.scope!r}"


@dataclass(frozen=True, slots=True)
class TrainingRuns:
    """Carries out the Train Model runs this worker claims."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics
    gate: RunGate
    blobs: BlobStore
    scratch: Path
    timeout_seconds: float = TRAINING_TIMEOUT_SECONDS

    @property
    def _reporter(self) -> RunReporter:
        return RunReporter(self.sessions, self.broker, self.topics)

    async def launch(self, run: RunRow) -> None:
        """Train what the run asks for; the run ends completed with the model, failed, or cancelled."""
        request = training_of(run.parameters)
        steps = training_steps(request.activate)
        by = StartedBy(kind=run.started_by_kind, name=run.started_by_name)
        trainer = Trainer(self.sessions, self.blobs, self.scratch, timeout_seconds=self.timeout_seconds)
        try:
            await self._train(run, request, steps, trainer, by)
        except TrainingAbandoned as exc:
            await self._reporter.fail(run.id, str(exc))
        except ConflictError as exc:
            await self._reporter.fail(run.id, f"Not enough data to train {describe(request)}: {exc}")
        except NotFoundError as exc:
            await self._reporter.fail(run.id, f"Cannot train {describe(request)}: {exc}.")
        finally:
            await asyncio.to_thread(trainer.close)  # the worker process ends with its run

    async def _train(
        self, run: RunRow, request: TrainModel, steps: tuple[str, ...], trainer: Trainer, by: StartedBy
    ) -> None:
        total = len(steps)
        if not await self._reporter.progress(run.id, done=0, total=total, message=steps[0]):
            return
        spec = await trainer.spec_for(request)
        if not await self._reporter.progress(run.id, done=1, total=total, message=steps[1]):
            return
        info = await self._unless_cancelled(run, trainer, trainer.fit(request, spec))
        if info is None or not await self._reporter.progress(run.id, done=2, total=total, message=steps[2]):
            return
        model = await self._register(run, info, activate=request.activate, total=total)
        if model is not None and request.activate:
            await announce_activation(self.broker, self.topics, model, by)
        if model is not None:
            log.info("model trained by a run", run_id=run.id, version=model.version, active=model.active)

    async def _unless_cancelled(
        self, run: RunRow, trainer: Trainer, fitting: Coroutine[Any, Any, ModelInfo]
    ) -> ModelInfo | None:
        """Await the fit; if the run is cancelled meanwhile, stop the worker process and answer None."""
        fit = asyncio.ensure_future(fitting)
        while True:
            done, _ = await asyncio.wait({fit}, timeout=CANCEL_POLL_SECONDS)
            if done:
                return fit.result()
            if await self.gate.is_cancelled(run.id):
                fit.cancel()
                await asyncio.to_thread(trainer.close)
                await asyncio.gather(fit, return_exceptions=True)
                log.info("training stopped: the run was cancelled", run_id=run.id)
                return None

    async def _register(
        self, run: RunRow, info: ModelInfo, *, activate: bool, total: int
    ) -> ModelInfo | None:
        """Register (and activate) the model and complete the run, in one transaction under its lock."""
        async with self.sessions.begin() as session:
            locked = await lock_run(session, run.id)
            if locked is None or locked.status is not RunStatus.RUNNING:
                return None  # cancelled while saving: nothing is registered
            row = await register_model(session, info)
            if activate:
                await activate_model(session, row)
                row = await get_model(session, row.id) or row
            model = row.info()
            locked.model_id, locked.model_version = model.id, model.version
            locked.total, locked.done = total, total
            state = "active" if model.active else "inactive until activated"
            locked.message = f"registered {model.version} ({state})"
            snapshot = snapshot_of(await refresh_run(session, locked, datetime.now(UTC)))
        await self._reporter.announce(snapshot)
        return model
