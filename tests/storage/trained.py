"""Real models for storage tests: trained on generated data, their artifacts in a blob store, registered."""

from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.ml.anomaly import train_anomaly
from app.ml.artifacts import dump_model
from app.ml.documents import train_classifier
from app.ml.model import TrainedModel
from app.storage.models import activate_model, get_model, register_model
from schemas.models import DOCUMENTS_SCOPE, ModelInfo
from tests.unit.ml.generated import labelled_texts, ordinary_records


async def registered_model(
    sessions: async_sessionmaker[AsyncSession], blobs: BlobStore, model: TrainedModel, scope: str
) -> ModelInfo:
    """Put the model's artifact in the blob store and register it (inactive)."""
    blob = blobs.put_bytes(dump_model(model))
    info = ModelInfo(
        id=uuid4(),
        kind=model.kind,
        version=model.version,
        scope=scope,
        params=dict(model.params),
        training_size=model.training_size,
        metrics=dict(model.metrics),
        artifact_sha256=blob.sha256,
        created_at=datetime.now(UTC),
        active=False,
    )
    async with sessions.begin() as session:
        return (await register_model(session, info)).info()


async def anomaly_model(
    sessions: async_sessionmaker[AsyncSession], blobs: BlobStore, seed: int, scope: str = "orders"
) -> ModelInfo:
    """An anomaly model over `amount` and `quantity` of 50 ordinary records, registered."""
    model = train_anomaly(ordinary_records(50, seed=seed), ["amount", "quantity"], seed=seed)
    return await registered_model(sessions, blobs, model, scope)


async def classifier_model(sessions: async_sessionmaker[AsyncSession], blobs: BlobStore) -> ModelInfo:
    """A classifier of the generated vocabularies (finance, medicine, sport), registered."""
    texts, labels = labelled_texts(per_group=5, seed=5)
    return await registered_model(sessions, blobs, train_classifier(texts, labels), DOCUMENTS_SCOPE)


async def activate(sessions: async_sessionmaker[AsyncSession], model_id: UUID) -> None:
    """Make a registered model the active one of its kind and scope."""
    async with sessions.begin() as session:
        row = await get_model(session, model_id)
        assert row is not None
        await activate_model(session, row)
