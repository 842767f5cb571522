"""What the web process needs, built by the composition root and handed to `create_app`."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Protocol, TypeAlias, runtime_checkable
from uuid import UUID

from litestar.di import NamedDependency, Provide
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.settings import Settings
from producers.documents import Intake


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


@dataclass(frozen=True, slots=True)
class WebServices:
    """Shared resources of the web app; no globals, so tests build their own."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    blobs: BlobStore
    intake: DocumentSubmitter
    readiness: Callable[[], list[str]]
    """Names of the components (e.g. consumer groups) that are not ready yet; empty when ready."""

    def dependencies(self) -> dict[str, Provide]:
        """Litestar dependencies: `services`, `intake` and a per-request read session `db_session`."""

        async def provide_db_session() -> AsyncIterator[AsyncSession]:
            async with self.sessions() as session:
                yield session

        return {
            "services": Provide(lambda: self, sync_to_thread=False),
            "intake": Provide(lambda: self.intake, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
        }


DbSession: TypeAlias = NamedDependency[AsyncSession]
"""A handler parameter `db_session: DbSession` gets a read session, closed after the request."""
Services: TypeAlias = NamedDependency[WebServices]
"""A handler parameter `services: Services` gets the app's `WebServices`."""
Submitter: TypeAlias = NamedDependency[DocumentSubmitter]
"""A handler parameter `intake: Submitter` gets the document intake."""
