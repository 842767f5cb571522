"""Model commands from the API: train a model now, and activate a version.

Activation is committed to the registry first (the source of truth), then announced with an
`ActivateModel` command on the control topic, so every worker's scorers switch at once; a worker
that misses the command still switches within seconds (`app.registry.cache`).
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import NotFoundError
from app.registry.training import Trainer
from app.storage.models import activate_model, get_model
from schemas.control import ActivateModel
from schemas.models import ModelInfo, TrainModel
from schemas.runs import StartedBy
from schemas.topics import Topics


@dataclass(frozen=True, slots=True)
class ModelCommands:
    """Trains and activates models on behalf of API callers."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics
    trainer: Trainer

    async def train(self, request: TrainModel) -> ModelInfo:
        """Train a model on the stored data and register it, inactive."""
        return await self.trainer.train(request)

    async def activate(self, model_id: UUID, by: StartedBy) -> ModelInfo:
        """Make the model the active one of its kind and scope, and tell every worker."""
        async with self.sessions.begin() as session:
            row = await get_model(session, model_id)
            if row is None:
                raise NotFoundError("model not found")
            await activate_model(session, row)
            row = await get_model(session, model_id)
            assert row is not None
            info = row.info()
        command = ActivateModel(
            model_id=info.id,
            kind=info.kind,
            scope=info.scope,
            version=info.version,
            issued_by=by,
            issued_at=datetime.now(UTC),
        )
        await self.broker.publish(command, self.topics.control, key=f"{info.kind}:{info.scope}".encode())
        return info
