"""The models API: admins start Train Model runs and activate a version, announced to every worker on
the control topic; operators label documents and rescore; everyone reads the registry and predictions."""

import dataclasses
from typing import Any
from uuid import UUID

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.storage.records import put_dataset_schema, upsert_records
from producers.models import ModelCommands
from producers.runs import RunCommands
from schemas.auth import Role
from schemas.control import ActivateModel
from schemas.records import ColumnSpec, ColumnType, DatasetSchema, ScoredRecord
from schemas.topics import Topics
from tests.storage.trained import anomaly_model
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
def services(services: WebServices, broker: RecordingBroker) -> WebServices:
    """The conftest's services, with run and model commands publishing to `broker`."""
    topics = Topics(services.settings.topic_namespace)
    runs = RunCommands(sessions=services.sessions, broker=broker, topics=topics)  # type: ignore[arg-type]
    commands = ModelCommands(sessions=services.sessions, broker=broker, topics=topics, runs=runs)  # type: ignore[arg-type]
    return dataclasses.replace(services, runs=runs, models=commands)


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


async def test_training_starts_a_train_model_run_and_answers_it(
    client: AsyncTestClient[Any], services: WebServices, broker: RecordingBroker
) -> None:
    await orders(services.sessions, 0)

    response = await client.post("/api/v1/models/train", json={**TRAIN_ORDERS, "activate": True})

    assert response.status_code == 202, response.text
    run = response.json()
    assert (run["task"], run["status"], run["started_by"]) == (
        "train-model",
        "queued",
        {"kind": "api_token", "name": "admin (tests)"},
    )
    assert run["training"] == {
        **TRAIN_ORDERS,
        "n_topics": 5,
        "contamination": 0.01,
        "seed": 0,
        "activate": True,
    }
    assert run["summary"] == "Training model — queued" and run["model_version"] is None
    [(topic, command, _), *_] = broker.published
    assert (topic, command.run_id, command.task) == ("webtest.control", UUID(run["id"]), "train-model")
    listed = (await client.get("/api/v1/runs", params={"task": "train-model"})).json()
    assert [item["id"] for item in listed["items"]] == [run["id"]]


async def test_training_what_cannot_exist_is_refused_before_any_run(client: AsyncTestClient[Any]) -> None:
    no_dataset = await client.post(
        "/api/v1/models/train", json={"kind": "record_anomaly", "scope": "nowhere"}
    )
    misscoped = await client.post("/api/v1/models/train", json={"kind": "document_topics", "scope": "orders"})
    dataset_run = await client.post("/api/v1/tasks/train-model/runs", json={"dataset": "orders"})
    model_elsewhere = await client.post(
        "/api/v1/tasks/clean-pdf/runs", json={"model": {"kind": "document_classifier"}}
    )

    assert (no_dataset.status_code, misscoped.status_code) == (404, 400)
    assert (dataset_run.status_code, model_elsewhere.status_code) == (400, 400)
    assert "only Train Model takes `model`" in model_elsewhere.json()["detail"]
    assert (await client.get("/api/v1/runs")).json()["total"] == 0


async def test_an_operator_may_rescore_but_not_train(
    client: AsyncTestClient[Any], tokens: dict[Role, str]
) -> None:
    operator = as_role(client, tokens, Role.OPERATOR)

    train = await operator.post("/api/v1/tasks/train-model/runs", json={})
    rescore = await operator.post("/api/v1/tasks/rescore/runs", json={"documents": "all"})

    assert train.status_code == 403 and "requires the admin role" in train.json()["detail"]
    assert rescore.status_code == 202 and rescore.json()["task"] == "rescore"


async def test_an_admin_activates_a_model_and_every_worker_is_told(
    client: AsyncTestClient[Any], services: WebServices, broker: RecordingBroker
) -> None:
    first = await anomaly_model(services.sessions, services.blobs, seed=1)
    second = await anomaly_model(services.sessions, services.blobs, seed=2)

    await client.post(f"/api/v1/models/{first.id}/activate")
    activated = await client.post(f"/api/v1/models/{second.id}/activate")

    assert activated.status_code == 200 and activated.json()["active"] is True
    assert (await client.get(f"/api/v1/models/{first.id}")).json()["active"] is False
    listed = (await client.get("/api/v1/models", params={"kind": "record_anomaly", "scope": "orders"})).json()
    assert listed["total"] == 2
    assert [m["active"] for m in listed["items"] if m["id"] == str(second.id)] == [True]
    commands = [(topic, event) for topic, event, _ in broker.published]
    assert [topic for topic, _ in commands] == ["webtest.control", "webtest.control"]
    assert all(isinstance(event, ActivateModel) for _, event in commands)
    assert [(event.model_id, event.version) for _, event in commands] == [
        (first.id, first.version),
        (second.id, second.version),
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
