"""What every stage needs, built once by the composition root and passed in explicitly."""

import os
import socket
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.pdf.inspect import PdfLimits
from app.pipeline.extractor import Extractor
from app.registry.cache import ActiveModels
from app.runs.gate import RunGate
from app.settings import Settings
from schemas.topics import Topics


def worker_identity() -> str:
    """`host:pid` of this process, recorded on every stage row it writes."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Pipeline:
    """Shared resources of the stages running in one process."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    blobs: BlobStore
    topics: Topics
    extractor: Extractor
    http: httpx.AsyncClient
    worker_id: str
    runs: RunGate
    models: ActiveModels
    """The active models the score stages predict with (switched without restart)."""

    @property
    def limits(self) -> PdfLimits:
        """Size and page limits a document must respect to be processed."""
        return PdfLimits(max_bytes=self.settings.max_upload_bytes, max_pages=self.settings.max_pages)
