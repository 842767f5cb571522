"""What the web process needs, built by the composition root and handed to `create_app`."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import IO, Protocol, TypeAlias, TypeVar, runtime_checkable
from uuid import UUID

from litestar import Litestar
from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.errors import TransientError
from app.settings import Settings
from producers.documents import Intake
from schemas.datasets import RecordsAccepted
from schemas.models import ModelInfo, TrainModel
from schemas.records import JsonScalar
from schemas.runs import RunSnapshot, StartedBy
from web.progress.hub import ProgressHub

T = TypeVar("T")


@runtime_checkable  # Litestar checks injected values against the parameter's type
class DocumentSubmitter(Protocol):
    """Accepts uploaded bytes (`producers.documents.DocumentIntake` is the real one)."""

    async def submit(
        self,
        chunks: AsyncIterator[bytes],
        *,
        filename: str | None,
        source: str,
        run_id: UUID | None = None,
    ) -> Intake:
        """Store the bytes, register the document and publish it if it is new."""
        ...


@runtime_checkable
class RunCommander(Protocol):
    """Starts, cancels and retries runs (`producers.runs.RunCommands` is the real one)."""

    async def start(
        self,
        task_slug: str,
        documents: str | list[str],
        by: StartedBy,
        *,
        model: TrainModel | None = None,
        dataset: str | None = None,
    ) -> RunSnapshot:
        """Queue a run of a task over the chosen documents (or what to train, or a dataset to rescore)."""
        ...

    async def cancel(self, run_id: UUID, by: StartedBy) -> RunSnapshot:
        """Cancel a run; when this returns no stage stores another document of it."""
        ...

    async def retry(self, run_id: UUID, by: StartedBy) -> RunSnapshot:
        """Queue a new run over the documents that failed in `run_id`."""
        ...


@runtime_checkable
class RecordSubmitter(Protocol):
    """Publishes records for a dataset (`producers.records.RecordIntake` is the real one)."""

    async def submit(
        self, dataset: str, records: Sequence[dict[str, JsonScalar]], *, source: str
    ) -> RecordsAccepted:
        """Publish JSON records for validation."""
        ...

    async def submit_csv(self, dataset: str, file: IO[bytes], *, source: str) -> RecordsAccepted:
        """Publish the rows of a CSV file for validation."""
        ...


@runtime_checkable
class ModelCommander(Protocol):
    """Trains and activates models (`producers.models.ModelCommands` is the real one)."""

    async def train(self, request: TrainModel, by: StartedBy) -> RunSnapshot:
        """Start a Train Model run for the requested model."""
        ...

    async def activate(self, model_id: UUID, by: StartedBy) -> ModelInfo:
        """Make the model active for its kind and scope, and tell every worker."""
        ...


@dataclass(frozen=True, slots=True)
class WebServices:
    """Shared resources of the web app; no globals, so tests build their own."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    blobs: BlobStore
    intake: DocumentSubmitter
    readiness: Callable[[], list[str]]
    """Names of the components (e.g. consumer groups) that are not ready yet; empty when ready."""
    runs: RunCommander
    hub: ProgressHub = field(default_factory=ProgressHub)
    """This process's progress hub; WebSocket clients subscribe to it."""
    lifespan: Sequence[Callable[[Litestar], AbstractAsyncContextManager[None]]] = ()
    """Run while the app serves, e.g. the hub's subscription to the progress topic."""
    records: RecordSubmitter | None = None
    """Publishes submitted records; None where the app has no producer (some tests): 503."""
    models: ModelCommander | None = None
    """Trains and activates models; None where the app has no producer (some tests): 503."""

    def dependencies(self) -> dict[str, Provide]:
        """Litestar dependencies: `services`, `intake` and a per-request read session `db_session`."""

        async def provide_db_session() -> AsyncIterator[AsyncSession]:
            async with self.sessions() as session:
                yield session

        return {
            "services": Provide(lambda: self, sync_to_thread=False),
            "intake": Provide(lambda: self.intake, sync_to_thread=False),
            "runs": Provide(lambda: self.runs, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
            # Not `records`/`models`: Litestar would take a body field of that name for the dependency.
            "record_intake": Provide(lambda: _configured(self.records), sync_to_thread=False),
            "model_commands": Provide(lambda: _configured(self.models), sync_to_thread=False),
        }


def _configured(service: T | None) -> T:
    if service is None:
        raise TransientError("this web process has no Kafka producer")
    return service


DbSession: TypeAlias = NamedDependency[AsyncSession]
"""A handler parameter `db_session: DbSession` gets a read session, closed after the request."""
Services: TypeAlias = NamedDependency[WebServices]
"""A handler parameter `services: Services` gets the app's `WebServices`."""
Submitter: TypeAlias = NamedDependency[DocumentSubmitter]
"""A handler parameter `intake: Submitter` gets the document intake."""
RunCommanding: TypeAlias = NamedDependency[RunCommander]
"""A handler parameter `runs: RunCommanding` starts, cancels and retries runs."""
RecordSubmitting: TypeAlias = NamedDependency[RecordSubmitter]
"""A handler parameter `record_intake: RecordSubmitting` publishes records for a dataset."""
ModelCommanding: TypeAlias = NamedDependency[ModelCommander]
"""A handler parameter `model_commands: ModelCommanding` trains and activates models."""
