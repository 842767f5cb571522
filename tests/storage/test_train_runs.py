"""Train Model runs and automatic training, on both databases: steps counted and announced, a clear
reason when the data is too thin, the model registered (and activated) under the run's lock, one run
however many workers notice that N new items arrived, and runs whose worker stopped are ended."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.runs.gate import RunGate
from app.runs.steps import ABANDONED
from app.runs.tasks import TRAIN_MODEL
from app.storage.engine import create_engine, create_sessionmaker
from app.storage.migrate import migrate
from app.storage.models import active_model, list_models
from app.storage.records import put_dataset_schema, upsert_records
from app.storage.run_tables import RunRow
from app.storage.runs import claim_run, get_run, list_runs
from producers.auto_training import RunUpkeep
from producers.runs import RunCommands
from producers.training_run import TrainingRuns
from schemas.control import ActivateModel, StartRun
from schemas.models import ModelKind, TrainModel
from schemas.progress import RunProgressed
from schemas.records import ColumnSpec, ColumnType, DatasetSchema, ScoredRecord
from schemas.runs import RunStatus, StartedBy, TriggerKind
from schemas.topics import Topics
from tests.storage.test_document_scoring import RecordingBroker
from tests.storage.trained import activate, anomaly_model
from tests.unit.ml.generated import ordinary_records

ADMIN = StartedBy(kind=TriggerKind.USER, name="admin")
TOPICS = Topics("traintest")


@dataclass
class Workers:
    """What a worker process uses to start and carry out Train Model runs."""

    sessions: async_sessionmaker[AsyncSession]
    broker: RecordingBroker
    blobs: BlobStore
    training: TrainingRuns
    runs: RunCommands

    def announced(self, run_id: uuid.UUID) -> list[Any]:
        """The states of the run announced on the progress topic, in order."""
        return [
            event.run
            for topic, event in self.broker.published
            if topic == TOPICS.progress and isinstance(event, RunProgressed) and event.run.id == run_id
        ]

    async def start_and_launch(self, training: TrainModel) -> RunRow:
        """Queue a Train Model run, claim it as the one worker that wins it, and carry it out."""
        queued = await self.runs.start(TRAIN_MODEL, "all", ADMIN, model=training)
        async with self.sessions.begin() as session:
            claimed = await claim_run(session, queued.id, datetime.now(UTC))
        assert claimed is not None
        await self.training.launch(claimed)
        async with self.sessions() as session:
            run = await get_run(session, queued.id)
        assert run is not None
        return run


def workers_on(engine: AsyncEngine, tmp_path: Path) -> Workers:
    """Train Model runs on a migrated database, a blob store and a broker that records what it gets."""
    sessions = create_sessionmaker(engine)
    broker = RecordingBroker()
    blobs = BlobStore(tmp_path / "blobs")
    training = TrainingRuns(sessions, broker, TOPICS, RunGate(sessions), blobs, scratch=tmp_path / "tmp")  # type: ignore[arg-type]
    runs = RunCommands(sessions=sessions, broker=broker, topics=TOPICS)  # type: ignore[arg-type]
    return Workers(sessions, broker, blobs, training, runs)


@pytest.fixture
def workers(engine: AsyncEngine, tmp_path: Path) -> Workers:
    """Train Model runs on each database."""
    return workers_on(engine, tmp_path)


@pytest.fixture
async def sqlite_workers(tmp_path: Path) -> AsyncIterator[Workers]:
    """Train Model runs on SQLite only: training starts a worker process, which is slow to repeat."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'headwater.db'}")
    try:
        await migrate(engine)
        yield workers_on(engine, tmp_path)
    finally:
        await engine.dispose()


async def orders(sessions: async_sessionmaker[AsyncSession], count: int, *, first_id: int = 0) -> None:
    """`count` ordinary records in the `orders` dataset (declared with `id` as its key)."""
    schema = DatasetSchema(
        columns=[
            ColumnSpec(name="id", type=ColumnType.INTEGER),
            ColumnSpec(name="amount", type=ColumnType.FLOAT),
            ColumnSpec(name="quantity", type=ColumnType.INTEGER),
            ColumnSpec(name="note", type=ColumnType.STRING),
        ],
        key=["id"],
    )
    rows = [{**row, "id": int(row["id"]) + first_id} for row in ordinary_records(count, seed=first_id)]
    async with sessions.begin() as session:
        await put_dataset_schema(session, "orders", schema)
        records = [ScoredRecord(key=f"{row['id']:064x}", data=row) for row in rows]
        await upsert_records(session, "orders", records, run_id=None)


async def test_a_training_run_without_labelled_documents_fails_with_the_reason(workers: Workers) -> None:
    run = await workers.start_and_launch(TrainModel(kind=ModelKind.DOCUMENT_CLASSIFIER))

    assert run.status is RunStatus.FAILED and run.success is False
    assert run.message == (
        "Not enough data to train a document classifier: No stored document has a label: label some first."
    )
    states = workers.announced(run.id)
    assert [state.status for state in states] == [
        RunStatus.QUEUED,
        RunStatus.RUNNING,
        RunStatus.RUNNING,
        RunStatus.FAILED,
    ]
    assert states[1].summary.startswith("Training model — 0/3 steps done (Loading the training data)")
    assert states[-1].summary.startswith("Training model — failed: Not enough data to train")
    assert run.model_id is None
    async with workers.sessions() as session:
        assert (await list_models(session, limit=10))[1] == 0


async def test_a_training_run_counts_its_steps_and_completes_with_the_active_model(
    sqlite_workers: Workers,
) -> None:
    workers = sqlite_workers
    await orders(workers.sessions, 60)

    run = await workers.start_and_launch(
        TrainModel(kind=ModelKind.RECORD_ANOMALY, scope="orders", activate=True)
    )

    assert (run.status, run.success, run.total, run.done) == (RunStatus.COMPLETED, True, 4, 4)
    async with workers.sessions() as session:
        model = await active_model(session, ModelKind.RECORD_ANOMALY, "orders")
    assert model is not None and (model.id, model.version) == (run.model_id, run.model_version)
    assert model.training_size == 60
    states = workers.announced(run.id)
    assert [(state.counts.done, state.message) for state in states[1:-1]] == [
        (0, "Loading the training data"),
        (1, "Fitting and cross-validating"),
        (2, "Saving the model"),
    ]
    assert (
        states[-1].summary
        == f"Training model — completed, 4/4 steps done: registered {model.version} (active)"
    )
    assert states[-1].training == TrainModel(kind=ModelKind.RECORD_ANOMALY, scope="orders", activate=True)
    [command] = [event for _, event in workers.broker.published if isinstance(event, ActivateModel)]
    assert (command.version, command.issued_by) == (model.version, ADMIN)


async def test_new_records_start_one_automatic_training_run_however_many_workers_check(
    workers: Workers,
) -> None:
    await orders(workers.sessions, 50)
    model = await anomaly_model(workers.sessions, workers.blobs, seed=1)
    await activate(workers.sessions, model.id)
    checkers = [
        RunUpkeep(workers.sessions, RecordingBroker(), TOPICS, after_records=10)  # type: ignore[arg-type]
        for _ in range(2)
    ]
    assert await checkers[0].sweep() == []  # the 50 records are older than the model

    await orders(workers.sessions, 12, first_id=1000)
    started = await asyncio.gather(*(checker.sweep() for checker in checkers))
    again = await checkers[1].sweep()

    assert sorted(len(snapshots) for snapshots in started) == [0, 1] and again == []
    async with workers.sessions() as session:
        runs, total = await list_runs(session, limit=10, task=TRAIN_MODEL)
    assert total == 1
    [run] = runs
    assert (run.status, run.started_by_kind) == (RunStatus.QUEUED, TriggerKind.AUTOMATIC)
    assert run.started_by_name == f"threshold: 12 new records since {model.version}"
    commands = [event for checker in checkers for _, event in checker.broker.published]  # type: ignore[attr-defined]
    assert [type(event) for event in commands] == [StartRun, RunProgressed]
    assert commands[0].run_id == run.id


async def test_a_training_run_whose_worker_stopped_is_failed_after_a_while(workers: Workers) -> None:
    queued = await workers.runs.start(TRAIN_MODEL, "all", ADMIN)
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    async with workers.sessions.begin() as session:
        await claim_run(session, queued.id, long_ago)
        await session.execute(update(RunRow).where(RunRow.id == queued.id).values(updated_at=long_ago))
    upkeep = RunUpkeep(workers.sessions, workers.broker, TOPICS)  # type: ignore[arg-type]

    await upkeep.sweep()

    async with workers.sessions() as session:
        run = await get_run(session, queued.id)
    assert run is not None and (run.status, run.message) == (RunStatus.FAILED, ABANDONED)
