"""Training a model on stored data in a worker process, then registering it with its artifact.

The data is read here (newest first, bounded), the spec goes to a `spawn` process running
`app.ml.training.train_to_file`, and only a small summary comes back; the artifact file is moved
into the blob store and the model registered inactive. Activating it is a separate, deliberate step.
"""

import asyncio
import multiprocessing
import signal
import tempfile
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import anyio
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.errors import ConflictError, NotFoundError
from app.ml.anomaly import numeric_columns
from app.ml.model import NotEnoughData
from app.ml.text import document_text
from app.ml.training import (
    AnomalySpec,
    ClassifierSpec,
    TopicsSpec,
    TrainingSpec,
    TrainingSummary,
    train_to_file,
)
from app.storage.models import register_model
from app.storage.predictions import stored_document_pages
from app.storage.records import get_dataset, training_rows
from app.storage.tables import utcnow
from schemas.models import ModelInfo, ModelKind, TrainModel

log = structlog.get_logger(__name__)
MAX_TRAINING_DOCUMENTS = 2000
MAX_TRAINING_PAGES = 50
"""Models read a document's first 20,000 characters: its first 50 pages are plenty."""
MAX_TRAINING_RECORDS = 50_000
TRAINING_TIMEOUT_SECONDS = 1800.0
NOTHING_TO_LEARN = {
    ModelKind.DOCUMENT_CLASSIFIER: "No stored document has a label: label some first.",
    ModelKind.DOCUMENT_TOPICS: "There is no stored document to fit topics on.",
    ModelKind.RECORD_ANOMALY: "The dataset has no records yet.",
}


class TrainingAbandoned(ConflictError):
    """Training took longer than the timeout; its worker process was stopped."""


def _ignore_interrupts() -> None:
    """Pool workers ignore Ctrl-C: the parent shuts them down."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Trainer:
    """Trains models one at a time in a worker process and registers them (Train Model runs use one each)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        blobs: BlobStore,
        scratch: Path,
        *,
        timeout_seconds: float = TRAINING_TIMEOUT_SECONDS,
    ) -> None:
        self._sessions = sessions
        self._blobs = blobs
        self._scratch = scratch
        self._timeout = timeout_seconds
        self._pool: ProcessPoolExecutor | None = None

    async def train(self, request: TrainModel) -> ModelInfo:
        """Train the requested model on the newest stored data and register it (inactive)."""
        info = await self.fit(request, await self.spec_for(request))
        async with self._sessions.begin() as session:
            row = await register_model(session, info)
        return row.info()

    async def fit(self, request: TrainModel, spec: TrainingSpec) -> ModelInfo:
        """Train on `spec` in the worker process and keep the artifact; the registry card, not yet registered.

        ConflictError with the reason when the data cannot make a model (nothing, or too little, to learn).
        """
        if not (spec.rows if isinstance(spec, AnomalySpec) else spec.texts):
            raise ConflictError(NOTHING_TO_LEARN[request.kind])  # no worker process started for nothing
        await anyio.Path(self._scratch).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self._scratch) as work:
            out = Path(work) / "model.skops"
            try:
                summary = await self._in_worker(spec, out)
            except NotEnoughData as exc:
                raise ConflictError(str(exc)) from exc
            blob = await anyio.to_thread.run_sync(self._blobs.put_file, out)
        assert blob.sha256 == summary.artifact_sha256
        info = summary.info(model_id=uuid.uuid4(), scope=request.scope, created_at=utcnow(), active=False)
        log.info(
            "model trained", kind=info.kind, scope=info.scope, version=info.version, metrics=info.metrics
        )
        return info

    async def spec_for(self, request: TrainModel) -> TrainingSpec:
        """What to train on: labelled or all stored documents, or a dataset's records."""
        async with self._sessions() as session:
            if request.kind is ModelKind.RECORD_ANOMALY:
                dataset = await get_dataset(session, request.scope)
                if dataset is None:
                    raise NotFoundError(f"no dataset named {request.scope!r}")
                rows = await training_rows(session, request.scope, MAX_TRAINING_RECORDS)
                schema = dataset.dataset_schema
                # Key columns identify records (ids grow without bound); they are not measurements.
                columns = [name for name in numeric_columns(schema) if name not in (schema.key or ())]
                return AnomalySpec(rows, columns, seed=request.seed, contamination=request.contamination)
            labelled = request.kind is ModelKind.DOCUMENT_CLASSIFIER
            documents = await stored_document_pages(
                session, labelled=labelled, limit=MAX_TRAINING_DOCUMENTS, max_page=MAX_TRAINING_PAGES
            )
        texts = [document_text(pages) for _, _, pages in documents]
        if labelled:
            labels = [label or "" for _, label, _ in documents]
            return ClassifierSpec(texts, labels, seed=request.seed)
        return TopicsSpec(texts, n_topics=request.n_topics, seed=request.seed)

    async def _in_worker(self, spec: TrainingSpec, out: Path) -> TrainingSummary:
        loop = asyncio.get_running_loop()
        if self._pool is None:
            # spawn, not fork: the parent runs an event loop and threads that must not be copied.
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_interrupts
            )
        try:
            async with asyncio.timeout(self._timeout):
                return await loop.run_in_executor(self._pool, train_to_file, spec, out)
        except TimeoutError:
            # A stuck worker cannot be interrupted: stop it off the event loop; a new pool starts next time.
            await asyncio.to_thread(self.close)
            raise TrainingAbandoned(
                f"Training took longer than {self._timeout:.0f} s and was abandoned."
            ) from None

    def close(self) -> None:
        """Stop the worker process, abandoning a training in flight."""
        if self._pool is not None:
            for worker in list((self._pool._processes or {}).values()):  # no public API before 3.14
                worker.terminate()
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
