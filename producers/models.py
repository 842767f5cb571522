"""Model commands from the API: train a model (a Train Model run), and activate a version.

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
from app.runs.tasks import TRAIN_MODEL
from app.storage.models import activate_model, get_model
from producers.runs import RunCommands
from schemas.control import ActivateModel
from schemas.models import ModelInfo, TrainModel
from schemas.runs import RunSnapshot, StartedBy
from schemas.topics import Topics


@dataclass(frozen=True, slots=True)
class ModelCommands:
    """Trains and activates models on behalf of API callers."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics
    runs: RunCommands

    async def train(self, request: TrainModel, by: StartedBy) -> RunSnapshot:
        """Start a Train Model run: one path for training, whoever asks for it."""
        return await self.runs.start(TRAIN_MODEL, "all", by, model=request)

    async def activate(self, model_id: UUID, by: StartedBy) -> ModelInfo:
        """Make the model the active one of its kind and scope, and tell every worker."""
        return await activate(self.sessions, self.broker, self.topics, model_id, by)


async def activate(
    sessions: async_sessionmaker[AsyncSession],
    broker: KafkaBroker,
    topics: Topics,
    model_id: UUID,
    by: StartedBy,
) -> ModelInfo:
    """Activate a model in the registry (database first), then publish `ActivateModel` on control."""
    async with sessions.begin() as session:
        row = await get_model(session, model_id)
        if row is None:
            raise NotFoundError("model not found")
        await activate_model(session, row)
        row = await get_model(session, model_id)
        assert row is not None
        info = row.info()
    await announce_activation(broker, topics, info, by)
    return info


async def announce_activation(broker: KafkaBroker, topics: Topics, info: ModelInfo, by: StartedBy) -> None:
    """Tell every worker that `info` is now the active model of its kind and scope."""
    command = ActivateModel(
        model_id=info.id,
        kind=info.kind,
        scope=info.scope,
        version=info.version,
        issued_by=by,
        issued_at=datetime.now(UTC),
    )
    await broker.publish(command, topics.control, key=f"{info.kind}:{info.scope}".encode())
