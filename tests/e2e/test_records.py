"""Records through the real broker: bad rows become dead letters, good ones are stored, then scored once
an anomaly model is trained and activated, on SQLite and PostgreSQL."""

import asyncio
import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from app.registry.cache import DEFAULT_TTL_SECONDS
from tests.e2e.harness import Service
from tests.e2e.test_document_models import wait_for_run
from tests.e2e.test_upstream_events import publish, wait_for_dead_letters
from tests.unit.ml.generated import ordinary_records

pytestmark = [pytest.mark.broker]

SCHEMA = {
    "columns": [
        {"name": "id", "type": "integer"},
        {"name": "amount", "type": "float"},
        {"name": "quantity", "type": "integer"},
        {"name": "note", "type": "string", "required": False},
    ],
    "key": ["id"],
}
BAD_ROWS = [
    {"id": 900, "amount": "lots", "quantity": 1},
    {"id": 901, "quantity": 2},
    {"id": 902, "amount": 1.5, "quantity": 3, "colour": "red"},
]


async def wait_for_records(service: Service, dataset: str, count: int, timeout: float = 30) -> dict:
    """Poll until the dataset holds `count` records; return the first page of them."""
    async with asyncio.timeout(timeout):
        while True:
            response = await service.client.get(f"/api/v1/datasets/{dataset}/records", params={"limit": 1000})
            if response.status_code == 200 and response.json()["total"] >= count:
                return response.json()
            await asyncio.sleep(0.2)


async def test_bad_rows_are_dead_letters_good_rows_are_stored_and_an_active_model_flags_outliers(
    service: Service,
) -> None:
    client = service.client
    assert (await client.put("/api/v1/datasets/orders/schema", json=SCHEMA)).status_code == 200
    ordinary = ordinary_records(200, seed=7)
    batch = {"dataset": "orders", "records": ordinary[:100] + BAD_ROWS + ordinary[100:]}

    publish(
        service.settings.kafka_bootstrap_servers,
        service.core.topics.ingest_records,
        json.dumps(batch).encode(),
    )

    first = await wait_for_records(service, "orders", 200)
    letters = await wait_for_dead_letters(service, "invalid_record", 3)
    assert first["total"] == 200
    assert all(
        record["anomaly_score"] is None and record["model_version"] is None for record in first["items"]
    )
    assert sorted(letter["reason_code"] for letter in letters) == ["invalid_record"] * 3
    reasons = " | ".join(sorted(letter["reason"] for letter in letters))
    assert "Record 100 of a batch for 'orders': column 'amount': expected a number, got 'lots'" in reasons
    assert "Record 101 of a batch for 'orders': required column 'amount' is missing" in reasons
    assert "Record 102 of a batch for 'orders': unknown column 'colour'" in reasons

    started = await client.post("/api/v1/models/train", json={"kind": "record_anomaly", "scope": "orders"})
    assert started.status_code == 202, started.text
    trained = await wait_for_run(service, started.json()["id"])
    assert trained["status"] == "completed", trained
    model = (await client.get(f"/api/v1/models/{trained['model_id']}")).json()
    assert (model["training_size"], model["active"]) == (200, False)
    assert 0 < model["metrics"]["threshold"] < 1
    activated = await client.post(f"/api/v1/models/{model['id']}/activate")
    assert activated.json()["active"] is True
    await asyncio.sleep(DEFAULT_TTL_SECONDS)  # the command is immediate; this covers a worker that missed it

    later = [
        {"id": 1000, "amount": 100.0, "quantity": 10, "note": "ordinary"},
        {"id": 1001, "amount": 101.5, "quantity": 10},
        {"id": 1002, "amount": 100000.0, "quantity": 10, "note": "typo"},
        {"id": 1003, "amount": 99.0, "quantity": 500, "note": "bulk"},
    ]
    accepted = await client.post("/api/v1/datasets/orders/records", json={"records": later})
    assert accepted.status_code == 202, accepted.text

    page = await wait_for_records(service, "orders", 204)
    scored = {record["data"]["id"]: record for record in page["items"] if record["data"]["id"] >= 1000}
    assert {key: r["is_anomaly"] for key, r in scored.items()} == {
        1000: False,
        1001: False,
        1002: True,
        1003: True,
    }
    assert {r["model_version"] for r in scored.values()} == {model["version"]}
    assert scored[1002]["anomaly_score"] > scored[1000]["anomaly_score"]
    flagged = (await client.get("/api/v1/datasets/orders/records", params={"anomalous": "true"})).json()
    assert sorted(record["data"]["id"] for record in flagged["items"]) == [1002, 1003]
    exported = await client.get("/api/v1/datasets/orders/export", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert len(rows) == 204 and rows[0].keys() == {"id", "amount", "quantity", "note"}
    parquet = await client.get(
        "/api/v1/datasets/orders/export", params={"format": "parquet", "anomalous": "true"}
    )
    assert sorted(pq.read_table(io.BytesIO(parquet.content)).column("id").to_pylist()) == [1002, 1003]
    rescore = await client.post("/api/v1/tasks/rescore/runs", json={"dataset": "orders"})
    rescored = await wait_for_run(service, rescore.json()["id"])
    assert (rescored["status"], rescored["counts"]["done"], rescored["dataset"]) == (
        "completed",
        204,
        "orders",
    )
    page = await wait_for_records(service, "orders", 204)
    assert {record["model_version"] for record in page["items"]} == {model["version"]}  # the first 200 too
