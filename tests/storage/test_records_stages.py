"""The records stages' work on a real database: validate (dead letters, inference, chunks), score, store;
and the validate-records router's publishing, on FastStream's in-memory test broker."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.blobs import BlobStore
from app.errors import PermanentError
from app.kafka.readiness import GroupReadiness
from app.pipeline.context import Pipeline
from app.pipeline.records import validate_records
from app.pipeline.records_score import score_batch, store_batch
from app.registry.cache import ActiveModels
from app.runs.gate import RunGate
from app.settings import Settings
from app.storage.engine import create_sessionmaker
from app.storage.records import get_dataset, list_records, put_dataset_schema
from app.storage.tables import DeadLetterRow
from consumers import validate_records as stage
from schemas.dead_letters import DeadLettered, DeadLetterReason
from schemas.records import (
    MAX_RECORD_BATCH_BYTES,
    ColumnSpec,
    ColumnType,
    DatasetSchema,
    RecordsSubmitted,
    RecordsValidated,
)
from schemas.topics import Topics
from tests.storage.trained import activate, anomaly_model

SCHEMA = DatasetSchema(
    columns=[
        ColumnSpec(name="id", type=ColumnType.INTEGER),
        ColumnSpec(name="amount", type=ColumnType.FLOAT),
        ColumnSpec(name="quantity", type=ColumnType.INTEGER, required=False),
    ],
    key=["id"],
)
MIXED = [
    {"id": 1, "amount": "12.50"},
    {"id": 2, "amount": "twelve"},
    {"id": 3, "amount": 7, "quantity": 2},
    {"amount": 1},
]


@pytest.fixture
def pipeline(engine: AsyncEngine, tmp_path: Path) -> Pipeline:
    """What the records stages use: a migrated database, a blob store and this process's active models."""
    sessions = create_sessionmaker(engine)
    blobs = BlobStore(tmp_path / "blobs")
    return Pipeline(
        settings=Settings(data_dir=tmp_path, topic_namespace="stagetest"),
        sessions=sessions,
        blobs=blobs,
        topics=Topics("stagetest"),
        extractor=None,  # type: ignore[arg-type]  # the records stages extract nothing
        http=None,  # type: ignore[arg-type]
        worker_id="test:1",
        runs=RunGate(sessions),
        models=ActiveModels(sessions, blobs),
    )


async def declared(pipeline: Pipeline, name: str = "orders") -> None:
    """Declare the test schema for a dataset."""
    async with pipeline.sessions.begin() as session:
        await put_dataset_schema(session, name, SCHEMA)


async def dead_letter_count(pipeline: Pipeline) -> int:
    """How many dead letters the database holds."""
    async with pipeline.sessions() as session:
        return await session.scalar(select(func.count()).select_from(DeadLetterRow)) or 0


async def test_bad_records_are_dead_letters_in_the_database_and_good_ones_pass_on_clean(
    pipeline: Pipeline,
) -> None:
    await declared(pipeline)
    event = RecordsSubmitted(dataset="orders", records=MIXED)

    checked = await validate_records(pipeline, event, size_bytes=200)

    [chunk] = checked.valid
    assert [record.data for record in chunk.records] == [
        {"id": 1, "amount": 12.5, "quantity": None},
        {"id": 3, "amount": 7.0, "quantity": 2},
    ]
    assert [letter.reason for letter in checked.letters] == [
        "Record 1 of a batch for 'orders': column 'amount': expected a number, got 'twelve'",
        "Record 3 of a batch for 'orders': required column 'id' is missing",
    ]
    assert {letter.reason_code for letter in checked.letters} == {DeadLetterReason.INVALID_RECORD}
    assert json.loads(checked.letters[0].payload_preview)["record"] == {"id": 2, "amount": "twelve"}
    assert await dead_letter_count(pipeline) == 2


async def test_a_redelivered_batch_makes_the_same_dead_letters_once(pipeline: Pipeline) -> None:
    await declared(pipeline)
    event = RecordsSubmitted(dataset="orders", records=MIXED)

    first = await validate_records(pipeline, event, size_bytes=200)
    again = await validate_records(pipeline, event, size_bytes=200)

    assert [letter.id for letter in again.letters] == [letter.id for letter in first.letters]
    assert await dead_letter_count(pipeline) == 2


async def test_a_new_dataset_gets_the_schema_of_its_first_batch(pipeline: Pipeline) -> None:
    first = RecordsSubmitted(
        dataset="sensors", records=[{"sensor": "a", "value": 1.5}, {"sensor": "b", "value": 2}]
    )
    later = RecordsSubmitted(dataset="sensors", records=[{"sensor": "c", "value": "high"}])

    await validate_records(pipeline, first, size_bytes=100)
    checked = await validate_records(pipeline, later, size_bytes=100)

    async with pipeline.sessions() as session:
        dataset = await get_dataset(session, "sensors")
    assert dataset is not None and dataset.inferred
    assert [(c.name, c.type) for c in dataset.dataset_schema.columns] == [
        ("sensor", ColumnType.STRING),
        ("value", ColumnType.FLOAT),
    ]
    assert checked.valid == [] and "expected a number, got 'high'" in checked.letters[0].reason


async def test_a_message_over_the_byte_cap_is_refused_whole(pipeline: Pipeline) -> None:
    event = RecordsSubmitted(dataset="orders", records=[{"id": 1}])

    with pytest.raises(PermanentError) as refused:
        await validate_records(pipeline, event, size_bytes=MAX_RECORD_BATCH_BYTES + 1)

    assert refused.value.reason_code is DeadLetterReason.TOO_LARGE
    assert "Send fewer records per message" in refused.value.reason


async def test_clean_records_that_outgrow_the_byte_cap_travel_in_several_chunks(pipeline: Pipeline) -> None:
    columns = [ColumnSpec(name=f"d{i:02}", type=ColumnType.DATETIME) for i in range(25)]
    async with pipeline.sessions.begin() as session:
        await put_dataset_schema(session, "days", DatasetSchema(columns=columns))
    days = [(date(2000, 1, 1) + timedelta(days=i)).isoformat() for i in range(1000)]
    records = [dict.fromkeys((column.name for column in columns), day) for day in days]
    event = RecordsSubmitted(dataset="days", records=records)
    size = len(event.model_dump_json().encode())
    assert size < MAX_RECORD_BATCH_BYTES

    checked = await validate_records(pipeline, event, size_bytes=size)

    assert len(checked.valid) >= 2
    assert sum(len(chunk.records) for chunk in checked.valid) == 1000
    assert all(len(chunk.model_dump_json().encode()) <= MAX_RECORD_BATCH_BYTES for chunk in checked.valid)


async def test_records_pass_unscored_without_a_model_and_scored_once_one_is_active(
    pipeline: Pipeline,
) -> None:
    await declared(pipeline)
    checked = await validate_records(
        pipeline,
        RecordsSubmitted(dataset="orders", records=[{"id": 1, "amount": 100, "quantity": 10}]),
        size_bytes=100,
    )
    [batch] = checked.valid

    unscored = await score_batch(pipeline, batch)
    model = await anomaly_model(pipeline.sessions, pipeline.blobs, seed=4)
    await activate(pipeline.sessions, model.id)
    pipeline.models.forget()
    outlier = batch.records[0].model_copy(
        update={"data": {"id": 2, "amount": 1e6, "quantity": 10}, "key": "f" * 64}
    )
    scored = await score_batch(
        pipeline, RecordsValidated(dataset="orders", records=[*batch.records, outlier])
    )

    assert [(r.anomaly_score, r.is_anomaly, r.model_version) for r in unscored.records] == [
        (None, None, None)
    ]
    assert [r.is_anomaly for r in scored.records] == [False, True]
    assert {r.model_version for r in scored.records} == {model.version}


async def test_storing_a_batch_twice_keeps_one_row_per_key(pipeline: Pipeline) -> None:
    await declared(pipeline)
    [batch] = (
        await validate_records(
            pipeline, RecordsSubmitted(dataset="orders", records=MIXED[:1] + MIXED[2:3]), size_bytes=100
        )
    ).valid
    scored = await score_batch(pipeline, batch)

    await store_batch(pipeline, scored)
    await store_batch(pipeline, scored)

    async with pipeline.sessions() as session:
        rows, total = await list_records(session, "orders", limit=10)
    assert total == 2 and sorted(row.data["id"] for row in rows) == [1, 3]


async def test_the_validate_stage_publishes_each_dead_letter_then_the_clean_records_keyed_by_dataset(
    pipeline: Pipeline,
) -> None:
    await declared(pipeline)
    topics = pipeline.topics
    broker = KafkaBroker()
    broker.include_router(stage.create_router(pipeline, GroupReadiness()))

    @broker.subscriber(topics.records_valid)
    async def on_valid(event: RecordsValidated) -> None:
        """Recorded by the mock."""

    @broker.subscriber(topics.dead_letters)
    async def on_dead_letter(event: DeadLettered) -> None:
        """Recorded by the mock."""

    async with TestKafkaBroker(broker) as test_broker:
        await test_broker.publish(RecordsSubmitted(dataset="orders", records=MIXED), topics.ingest_records)

        [valid] = [call.args[0] for call in on_valid.mock.call_args_list]
        assert [record["data"]["id"] for record in valid["records"]] == [1, 3]
        assert on_dead_letter.mock.call_count == 2
