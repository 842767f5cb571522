"""Datasets and records in the database: upserts by key, filters, keyset pages and streamed exports."""

import csv
import io
import json
from uuid import uuid4

import pyarrow.parquet as pq
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.pipeline.records_export import export_records, revive
from app.storage.engine import create_sessionmaker
from app.storage.records import (
    add_dataset_if_absent,
    count_records,
    get_dataset,
    iter_record_pages,
    list_datasets,
    list_records,
    put_dataset_schema,
    upsert_records,
)
from schemas.datasets import ExportFormat
from schemas.records import ColumnSpec, ColumnType, DatasetSchema, ScoredRecord

SCHEMA = DatasetSchema(
    columns=[
        ColumnSpec(name="id", type=ColumnType.INTEGER),
        ColumnSpec(name="amount", type=ColumnType.FLOAT),
        ColumnSpec(name="at", type=ColumnType.DATETIME, required=False),
    ],
    key=["id"],
)


def record(i: int, *, amount: float = 10.0, flagged: bool | None = None) -> ScoredRecord:
    """A scored record whose key is derived from its id."""
    return ScoredRecord(
        key=f"{i:064x}",
        data={"id": i, "amount": amount, "at": "2024-05-01T12:00:00+00:00"},
        anomaly_score=None if flagged is None else (0.9 if flagged else 0.3),
        is_anomaly=flagged,
        model_version=None if flagged is None else "anomaly-0123456789abcdef",
    )


async def test_the_first_schema_wins_and_an_admin_replaces_it(session: AsyncSession) -> None:
    inferred = DatasetSchema(columns=[ColumnSpec(name="id", type=ColumnType.STRING)])
    first = await add_dataset_if_absent(session, "orders", inferred, inferred=True)
    again = await add_dataset_if_absent(session, "orders", SCHEMA, inferred=True)
    assert again.dataset_schema == first.dataset_schema == inferred

    declared = await put_dataset_schema(session, "orders", SCHEMA)

    assert declared.dataset_schema == SCHEMA
    assert (declared.inferred, declared.key) == (False, ["id"])


async def test_a_redelivered_batch_leaves_the_same_rows(session: AsyncSession) -> None:
    await add_dataset_if_absent(session, "orders", SCHEMA, inferred=False)
    batch = [record(i) for i in range(5)]
    await upsert_records(session, "orders", batch, run_id=None)
    before, _ = await list_records(session, "orders", limit=10)
    snapshot = [(r.record_key, r.data, r.ingested_at) for r in before]

    await upsert_records(session, "orders", batch, run_id=None)

    after, total = await list_records(session, "orders", limit=10)
    assert total == 5
    assert [(r.record_key, r.data, r.ingested_at) for r in after] == snapshot


async def test_a_later_record_with_the_same_key_replaces_data_and_score(session: AsyncSession) -> None:
    await add_dataset_if_absent(session, "orders", SCHEMA, inferred=False)
    await upsert_records(session, "orders", [record(1)], run_id=None)
    run_id = uuid4()

    await upsert_records(session, "orders", [record(1, amount=99.0, flagged=True)], run_id=run_id)

    [row], total = await list_records(session, "orders", limit=10)
    assert total == 1
    assert (row.data["amount"], row.is_anomaly, row.run_id) == (99.0, True, run_id)


async def test_records_filter_by_anomaly_flag_and_run(session: AsyncSession) -> None:
    await add_dataset_if_absent(session, "orders", SCHEMA, inferred=False)
    run_id = uuid4()
    await upsert_records(
        session, "orders", [record(1, flagged=True), record(2, flagged=False)], run_id=run_id
    )
    await upsert_records(session, "orders", [record(3)], run_id=None)

    flagged, _ = await list_records(session, "orders", limit=10, anomalous=True)
    ordinary, _ = await list_records(session, "orders", limit=10, anomalous=False)
    of_run, _ = await list_records(session, "orders", limit=10, run_id=run_id)

    assert [r.data["id"] for r in flagged] == [1]
    assert sorted(r.data["id"] for r in ordinary) == [2, 3]
    assert sorted(r.data["id"] for r in of_run) == [1, 2]
    assert await count_records(session, "orders") == 3
    assert [(row.name, count) for row, count in await list_datasets(session)] == [("orders", 3)]


async def test_pages_of_an_export_cover_every_record_once(session: AsyncSession) -> None:
    await add_dataset_if_absent(session, "orders", SCHEMA, inferred=False)
    await upsert_records(session, "orders", [record(i) for i in range(25)], run_id=None)

    pages = [page async for page in iter_record_pages(session, "orders", page=10)]

    assert [len(page) for page in pages] == [10, 10, 5]
    assert sorted(data["id"] for page in pages for data in page) == list(range(25))


def test_stored_values_revive_as_their_column_types() -> None:
    row = revive({"id": 3, "amount": 2, "at": "2024-05-01T12:00:00+00:00", "extra": 1}, SCHEMA)

    assert row["id"] == 3 and isinstance(row["amount"], float)
    assert row["at"] is not None and row["at"].isoformat() == "2024-05-01T12:00:00+00:00"  # type: ignore[union-attr]
    assert revive({"id": "not a number", "amount": None}, SCHEMA) == {"id": None, "amount": None, "at": None}


async def test_exports_stream_every_record_as_csv_jsonl_and_parquet(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        await add_dataset_if_absent(session, "orders", SCHEMA, inferred=False)
        await upsert_records(session, "orders", [record(i, flagged=i == 7) for i in range(1500)], run_id=None)
        assert await get_dataset(session, "orders") is not None

    async def export(fmt: ExportFormat, anomalous: bool | None = None) -> list[bytes]:
        return [chunk async for chunk in export_records(sessions, "orders", SCHEMA, fmt, anomalous=anomalous)]

    csv_chunks = await export(ExportFormat.CSV)
    rows = list(csv.DictReader(io.StringIO(b"".join(csv_chunks).decode())))
    assert len(csv_chunks) == 3  # the header, then one chunk per page of 1000 records
    assert len(rows) == 1500 and rows[0]["at"] == "2024-05-01T12:00:00+00:00"
    lines = b"".join(await export(ExportFormat.JSONL)).splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == list(range(1500))
    table = pq.read_table(io.BytesIO(b"".join(await export(ExportFormat.PARQUET))))
    assert table.num_rows == 1500 and str(table.schema.field("at").type) == "timestamp[us, tz=UTC]"
    flagged = pq.read_table(io.BytesIO(b"".join(await export(ExportFormat.PARQUET, anomalous=True))))
    assert flagged.column("id").to_pylist() == [7]
    flagged_csv = b"".join(await export(ExportFormat.CSV, anomalous=True)).decode().splitlines()
    assert flagged_csv[0] == "id,amount,at" and len(flagged_csv) == 2
