"""The models API: admins train models in a worker process and activate a version, announced to every
worker on the control topic; operators label documents; everyone reads the registry and predictions."""

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.registry.training import Trainer
from app.storage.records import put_dataset_schema, upsert_records
from producers.models import ModelCommands
from schemas.auth import Role
from schemas.control import ActivateModel
from schemas.records import ColumnSpec, ColumnType, DatasetSchema, ScoredRecord
from schemas.topics import Topics
from tests.unit.ml.generated import ordinary_records
from tests.web.conftest import Seeder, as_role
from tests.web.test_datasets_api import RecordingBroker
from web.services import WebServices

TRAIN_ORDERS = {"kind": "record_anomaly", "scope": "orders"}


@pytest.fixture
def broker() -> RecordingBroker:
    """What the model commands publish."""
    return RecordingBroker()


@pytest.fixture
def trainer(services: WebServices) -> Iterator[Trainer]:
    """A trainer whose worker process is stopped after the test."""
    trainer = Trainer(services.sessions, services.blobs, services.settings.data_dir / "tmp")
    yield trainer
    trainer.close()


@pytest.fixture
def services(services: WebServices, broker: RecordingBroker, trainer: Trainer) -> WebServices:
    """The conftest's services, with model commands publishing to `broker`."""
    topics = Topics(services.settings.topic_namespace)
    commands = ModelCommands(sessions=services.sessions, broker=broker, topics=topics, trainer=trainer)  # type: ignore[arg-type]
    return dataclasses.replace(services, models=commands)


async def orders(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    """The `orders` dataset holding `count` ordinary records."""
    schema = DatasetSchema(
        columns=[
            ColumnSpec(name="id", type=ColumnType.INTEGER),
            ColumnSpec(name="amount", type=ColumnType.FLOAT),
            ColumnSpec(name="quantity", type=ColumnType.INTEGER),
            ColumnSpec(name="note", type=ColumnType.STRING),
        ],
        key=["id"],
    )
    async with sessions.begin() as session:
        await put_dataset_schema(session, "orders", schema)
        records = [ScoredRecord(key=f"{r['id']:064x}", data=r) for r in ordinary_records(count, seed=5)]
        await upsert_records(session, "orders", records, run_id=None)


async def test_training_without_data_is_409_and_registers_nothing(
    client: AsyncTestClient[Any], services: WebServices
) -> None:
    await orders(services.sessions, 0)

    no_records = await client.post("/api/v1/models/train", json=TRAIN_ORDERS)
    no_labels = await client.post("/api/v1/models/train", json={"kind": "document_classifier"})
    no_dataset = await client.post(
        "/api/v1/models/train", json={"kind": "record_anomaly", "scope": "nowhere"}
    )

    assert (no_records.status_code, no_labels.status_code, no_dataset.status_code) == (409, 409, 404)
    assert "no records yet" in no_records.json()["detail"]
    assert (await client.get("/api/v1/models")).json()["total"] == 0


async def test_a_document_model_cannot_be_scoped_to_a_dataset(client: AsyncTestClient[Any]) -> None:
    response = await client.post("/api/v1/models/train", json={"kind": "document_topics", "scope": "orders"})

    assert response.status_code == 400


async def test_an_admin_trains_and_activates_models_and_every_worker_is_told(
    client: AsyncTestClient[Any], services: WebServices, broker: RecordingBroker
) -> None:
    await orders(services.sessions, 60)

    first = (await client.post("/api/v1/models/train", json=TRAIN_ORDERS)).json()
    second = (await client.post("/api/v1/models/train", json={**TRAIN_ORDERS, "seed": 1})).json()
    again = (await client.post("/api/v1/models/train", json=TRAIN_ORDERS)).json()
    await client.post(f"/api/v1/models/{first['id']}/activate")
    activated = await client.post(f"/api/v1/models/{second['id']}/activate")

    assert again["id"] == first["id"]  # same data, same parameters: the same version, registered once
    assert first["version"] != second["version"] and first["version"].startswith("anomaly-")
    assert (first["kind"], first["scope"], first["training_size"]) == ("record_anomaly", "orders", 60)
    assert first["params"]["model"] == "isolation_forest" and "threshold" in first["metrics"]
    assert activated.status_code == 200 and activated.json()["active"] is True
    assert (await client.get(f"/api/v1/models/{first['id']}")).json()["active"] is False
    listed = (await client.get("/api/v1/models", params={"kind": "record_anomaly", "scope": "orders"})).json()
    assert listed["total"] == 2 and [m["active"] for m in listed["items"] if m["id"] == second["id"]] == [
        True
    ]
    commands = [(topic, event) for topic, event, _ in broker.published]
    assert [topic for topic, _ in commands] == ["webtest.control", "webtest.control"]
    assert all(isinstance(event, ActivateModel) for _, event in commands)
    assert [(str(event.model_id), event.version) for _, event in commands] == [
        (first["id"], first["version"]),
        (second["id"], second["version"]),
    ]


async def test_activating_an_unknown_model_is_404(client: AsyncTestClient[Any]) -> None:
    response = await client.post("/api/v1/models/00000000-0000-4000-8000-000000000000/activate")

    assert response.status_code == 404


async def test_an_operator_labels_documents_but_cannot_train(
    client: AsyncTestClient[Any], tokens: dict[Role, str], seed: Seeder
) -> None:
    doc_id = await seed.stored_document("labelled", tables=[])
    operator = as_role(client, tokens, Role.OPERATOR)

    labelled = await operator.put(f"/api/v1/documents/{doc_id}/label", json={"label": "  invoice "})
    predictions = await operator.get(f"/api/v1/documents/{doc_id}/predictions")
    removed = await operator.put(f"/api/v1/documents/{doc_id}/label", json={"label": None})
    unknown = await operator.put(f"/api/v1/documents/{'0' * 64}/label", json={"label": "invoice"})
    train = await operator.post("/api/v1/models/train", json={"kind": "document_classifier"})

    assert labelled.status_code == 200, labelled.text
    assert (labelled.json()["label"], labelled.json()["labelled_by"]) == ("invoice", "operator (tests)")
    assert predictions.json() == {"doc_id": doc_id, "label": "invoice", "predictions": []}
    assert removed.json()["label"] is None
    assert (unknown.status_code, train.status_code) == (404, 403)
