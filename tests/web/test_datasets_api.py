"""The datasets API: schemas, record ingestion (JSON and CSV) in bounded batches, pages and exports."""

import csv
import dataclasses
import io
import json
from typing import Any

import pyarrow.parquet as pq
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.storage.records import put_dataset_schema, upsert_records
from producers.records import RecordIntake
from schemas.auth import Role
from schemas.records import DatasetSchema, RecordsSubmitted, ScoredRecord
from schemas.topics import Topics
from tests.web.conftest import as_role
from web.services import WebServices

SCHEMA = {
    "columns": [
        {"name": "id", "type": "integer"},
        {"name": "amount", "type": "float"},
        {"name": "note", "type": "string", "required": False},
    ],
    "key": ["id"],
}


class RecordingBroker:
    """Stands in for the Kafka producer: remembers what was published, where, under which key."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Any, bytes]] = []

    async def publish(self, event: Any, topic: str, key: bytes) -> None:
        """Remember one message."""
        self.published.append((topic, event, key))


@pytest.fixture
def broker() -> RecordingBroker:
    """What the records intake publishes."""
    return RecordingBroker()


@pytest.fixture
def services(services: WebServices, broker: RecordingBroker) -> WebServices:
    """The conftest's services, with a records intake publishing to `broker`."""
    topics = Topics(services.settings.topic_namespace)
    return dataclasses.replace(services, records=RecordIntake(broker=broker, topics=topics))  # type: ignore[arg-type]


async def seeded(sessions: async_sessionmaker[AsyncSession], count: int, flagged: set[int]) -> None:
    """The `orders` dataset with `count` stored records; those in `flagged` are anomalies."""
    async with sessions.begin() as session:
        await put_dataset_schema(session, "orders", DatasetSchema.model_validate(SCHEMA))
        records = [
            ScoredRecord(
                key=f"{i:064x}",
                data={"id": i, "amount": 10.0 + i, "note": "=cmd|' /C calc'!A0" if i == 0 else None},
                anomaly_score=0.9 if i in flagged else 0.2,
                is_anomaly=i in flagged,
                model_version="anomaly-0123456789abcdef",
            )
            for i in range(count)
        ]
        await upsert_records(session, "orders", records, run_id=None)


async def test_an_admin_declares_a_schema_and_everyone_reads_it(
    client: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    declared = await client.put("/api/v1/datasets/orders/schema", json=SCHEMA)
    as_viewer = as_role(client, tokens, Role.VIEWER)
    read = await as_viewer.get("/api/v1/datasets/orders")
    listed = await as_viewer.get("/api/v1/datasets")

    assert declared.status_code == 200, declared.text
    assert read.json()["columns"] == [
        {"name": "id", "type": "integer", "required": True},
        {"name": "amount", "type": "float", "required": True},
        {"name": "note", "type": "string", "required": False},
    ]
    assert (read.json()["key"], read.json()["inferred"], read.json()["record_count"]) == (["id"], False, 0)
    assert [item["name"] for item in listed.json()["items"]] == ["orders"]


@pytest.mark.parametrize(
    ("name", "schema", "status"),
    [
        ("Orders", SCHEMA, 400),
        ("orders", {**SCHEMA, "key": ["note"]}, 400),
        ("orders", {"columns": []}, 400),
    ],
)
async def test_a_bad_dataset_name_or_schema_is_400(
    client: AsyncTestClient[Any], name: str, schema: dict[str, Any], status: int
) -> None:
    assert (await client.put(f"/api/v1/datasets/{name}/schema", json=schema)).status_code == status


async def test_the_key_of_a_dataset_holding_records_cannot_change(
    client: AsyncTestClient[Any], services: WebServices
) -> None:
    await seeded(services.sessions, 3, flagged=set())

    changed = await client.put("/api/v1/datasets/orders/schema", json={**SCHEMA, "key": ["amount"]})
    widened = await client.put(
        "/api/v1/datasets/orders/schema",
        json={
            **SCHEMA,
            "columns": [*SCHEMA["columns"], {"name": "city", "type": "string", "required": False}],
        },
    )

    assert changed.status_code == 409
    assert widened.status_code == 200 and widened.json()["record_count"] == 3


async def test_records_are_published_in_batches_of_at_most_a_thousand_keyed_by_dataset(
    client: AsyncTestClient[Any], broker: RecordingBroker
) -> None:
    records = [{"id": i, "amount": i / 2} for i in range(2500)]

    response = await client.post("/api/v1/datasets/orders/records", json={"records": records})

    assert response.status_code == 202, response.text
    assert response.json() == {"dataset": "orders", "records": 2500, "batches": 3}
    assert {(topic, key) for topic, _, key in broker.published} == {("webtest.ingest.records", b"orders")}
    events = [event for _, event, _ in broker.published]
    assert all(isinstance(event, RecordsSubmitted) and event.source == "api" for event in events)
    assert [record for event in events for record in event.records] == records


async def test_a_csv_upload_publishes_its_rows_with_empty_cells_missing(
    client: AsyncTestClient[Any], broker: RecordingBroker
) -> None:
    content = "\ufeffid,amount,note\n1,2.5,\n2,,late\n".encode()

    response = await client.post(
        "/api/v1/datasets/orders/records/csv", files={"file": ("orders.csv", content, "text/csv")}
    )

    assert response.status_code == 202, response.text
    [(_, event, _)] = broker.published
    assert event.records == [
        {"id": "1", "amount": "2.5", "note": None},
        {"id": "2", "amount": None, "note": "late"},
    ]


async def test_a_csv_that_is_not_utf8_is_422_and_nothing_is_published(
    client: AsyncTestClient[Any], broker: RecordingBroker
) -> None:
    response = await client.post(
        "/api/v1/datasets/orders/records/csv", files={"file": ("x.csv", b"id\n\xff\xfe\n", "text/csv")}
    )

    assert response.status_code == 422
    assert "not UTF-8" in response.json()["detail"]
    assert broker.published == []


async def test_a_viewer_cannot_submit_records(client: AsyncTestClient[Any], tokens: dict[Role, str]) -> None:
    viewer = as_role(client, tokens, Role.VIEWER)

    response = await viewer.post("/api/v1/datasets/orders/records", json={"records": [{"id": 1}]})

    assert response.status_code == 403


async def test_records_page_through_with_an_anomalies_only_filter(
    client: AsyncTestClient[Any], services: WebServices
) -> None:
    await seeded(services.sessions, 30, flagged={4, 17})

    page = (await client.get("/api/v1/datasets/orders/records", params={"limit": 10, "offset": 10})).json()
    flagged = (await client.get("/api/v1/datasets/orders/records", params={"anomalous": "true"})).json()
    missing = await client.get("/api/v1/datasets/nowhere/records")

    assert (page["total"], len(page["items"]), page["offset"]) == (30, 10, 10)
    assert sorted(item["data"]["id"] for item in flagged["items"]) == [4, 17]
    assert {item["model_version"] for item in flagged["items"]} == {"anomaly-0123456789abcdef"}
    assert missing.status_code == 404


async def test_exports_stream_csv_jsonl_and_parquet(
    client: AsyncTestClient[Any], services: WebServices
) -> None:
    await seeded(services.sessions, 30, flagged={4})

    as_csv = await client.get("/api/v1/datasets/orders/export")
    as_jsonl = await client.get("/api/v1/datasets/orders/export", params={"format": "jsonl"})
    as_parquet = await client.get(
        "/api/v1/datasets/orders/export", params={"format": "parquet", "anomalous": "true"}
    )

    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert 'filename="orders.csv"' in as_csv.headers["content-disposition"]
    assert len(rows) == 30 and "'=cmd|' /C calc'!A0" in [row["note"] for row in rows]
    assert len([json.loads(line) for line in as_jsonl.text.splitlines()]) == 30
    assert pq.read_table(io.BytesIO(as_parquet.content)).to_pylist() == [
        {"id": 4, "amount": 14.0, "note": None}
    ]
