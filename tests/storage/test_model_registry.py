"""The model registry and the active models a process scores with, switched without restart."""

from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.blobs import BlobStore
from app.registry.cache import ActiveModels
from app.storage.engine import create_sessionmaker
from app.storage.models import activate_model, active_model, list_models, register_model
from schemas.models import ModelInfo, ModelKind
from tests.storage.trained import activate, anomaly_model


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        """The current time."""
        return self.now


def card(version: str, *, kind: ModelKind = ModelKind.RECORD_ANOMALY, scope: str = "orders") -> ModelInfo:
    """A registry card for a model whose artifact is irrelevant to the test."""
    return ModelInfo(
        id=uuid4(),
        kind=kind,
        version=version,
        scope=scope,
        params={"seed": 0},
        training_size=50,
        metrics={"threshold": 0.6},
        artifact_sha256="a" * 64,
        created_at=datetime.now(UTC),
        active=False,
    )


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    """A blob store in this test's tmp_path."""
    return BlobStore(tmp_path / "blobs")


async def test_registering_the_same_version_twice_keeps_the_first_row(session: AsyncSession) -> None:
    first = await register_model(session, card("anomaly-1"))
    second = await register_model(session, card("anomaly-1"))

    assert second.id == first.id
    assert (await list_models(session, limit=10))[1] == 1


async def test_activating_a_model_deactivates_the_others_of_its_kind_and_scope_only(
    session: AsyncSession,
) -> None:
    old = await register_model(session, card("anomaly-1"))
    new = await register_model(session, card("anomaly-2"))
    other_dataset = await register_model(session, card("anomaly-3", scope="invoices"))
    classifier = await register_model(session, card("classifier-1", kind=ModelKind.DOCUMENT_CLASSIFIER))
    for row in (old, other_dataset, classifier, new):
        await activate_model(session, row)

    active = {row.version for row in (await list_models(session, limit=10))[0] if row.active}

    assert active == {"anomaly-2", "anomaly-3", "classifier-1"}
    assert (await active_model(session, ModelKind.RECORD_ANOMALY, "orders")).version == "anomaly-2"  # type: ignore[union-attr]
    assert await active_model(session, ModelKind.RECORD_ANOMALY, "payments") is None


async def test_no_active_model_means_score_nothing(engine: AsyncEngine, blobs: BlobStore) -> None:
    models = ActiveModels(create_sessionmaker(engine), blobs)

    assert await models.get(ModelKind.RECORD_ANOMALY, "orders") is None


async def test_an_activation_is_seen_after_the_ttl_or_at_once_when_the_command_arrives(
    engine: AsyncEngine, blobs: BlobStore
) -> None:
    sessions = create_sessionmaker(engine)
    clock = Clock()
    models = ActiveModels(sessions, blobs, ttl_seconds=2.0, clock=clock)
    first = await anomaly_model(sessions, blobs, seed=1)
    second = await anomaly_model(sessions, blobs, seed=2)
    await activate(sessions, first.id)
    assert (await models.get(ModelKind.RECORD_ANOMALY, "orders")).version == first.version  # type: ignore[union-attr]

    await activate(sessions, second.id)
    clock.now = 1.0
    stale = await models.get(ModelKind.RECORD_ANOMALY, "orders")
    clock.now = 2.5
    fresh = await models.get(ModelKind.RECORD_ANOMALY, "orders")
    await activate(sessions, first.id)
    models.forget(ModelKind.RECORD_ANOMALY, "orders")  # what the ActivateModel command does
    switched_back = await models.get(ModelKind.RECORD_ANOMALY, "orders")

    assert stale.version == first.version  # type: ignore[union-attr]
    assert fresh.version == second.version  # type: ignore[union-attr]
    assert switched_back.version == first.version  # type: ignore[union-attr]


async def test_an_artifact_that_cannot_be_loaded_means_score_nothing(
    engine: AsyncEngine, blobs: BlobStore
) -> None:
    sessions = create_sessionmaker(engine)
    forged = blobs.put_bytes(b"PK\x03\x04 not a model")
    info = card("anomaly-forged").model_copy(update={"artifact_sha256": forged.sha256})
    async with sessions.begin() as session:
        row = await register_model(session, info)
        await activate_model(session, row)

    assert await ActiveModels(sessions, blobs).get(ModelKind.RECORD_ANOMALY, "orders") is None
