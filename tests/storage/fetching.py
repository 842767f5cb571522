"""A Fetch New Data harness: the real launcher, fetcher, intake and database, on an in-memory Kafka broker.

Documents are registered and published exactly as in production; nothing consumes them here, so a
run with new documents stays `running` and one with nothing new completes at once.
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from faststream.kafka import KafkaBroker, TestKafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.registry.cache import ActiveModels
from app.runs.gate import RunGate
from app.runs.tasks import FETCH_NEW_DATA
from app.sources.http import FetchLimits
from app.storage.run_tables import RunRow
from app.storage.runs import create_run, get_run
from app.storage.sources import SourceRow, add_source, get_source
from producers.documents import DocumentIntake
from producers.fetch import NewDataFetcher
from producers.launch import RunLauncher
from producers.rescore_run import RescoreRuns
from producers.training_run import TrainingRuns
from schemas.documents import DocumentSubmitted
from schemas.runs import TriggerKind
from schemas.sources import SourceCreate
from schemas.topics import Topics


@dataclass
class FetchHarness:
    """Configure sources, run Fetch New Data, and see what it registered and published."""

    sessions: async_sessionmaker[AsyncSession]
    launcher: RunLauncher
    blobs: BlobStore
    published: list[DocumentSubmitted] = field(default_factory=list)

    async def add_source(self, **fields: Any) -> uuid.UUID:
        """Configure a source (as the API would, after validation); return its id."""
        async with self.sessions.begin() as session:
            row = await add_source(session, SourceCreate.model_validate(fields), datetime.now(UTC))
            return row.id

    async def source(self, source_id: uuid.UUID) -> SourceRow:
        """The source's row as stored now."""
        async with self.sessions() as session:
            row = await get_source(session, source_id)
            assert row is not None
            return row

    async def run(self) -> RunRow:
        """Start a Fetch New Data run, let the launcher run it, and return the run's row afterwards."""
        run_id = uuid.uuid4()
        async with self.sessions.begin() as session:
            await create_run(
                session,
                run_id=run_id,
                task=FETCH_NEW_DATA,
                selection={"kind": "all"},
                started_by=(TriggerKind.USER, "tests"),
                now=datetime.now(UTC),
            )
        await self.launcher.launch(run_id)
        async with self.sessions() as session:
            run = await get_run(session, run_id)
            assert run is not None
            return run

    def published_for(self, run: RunRow) -> list[DocumentSubmitted]:
        """The documents published for processing in this run."""
        return [event for event in self.published if event.run_id == run.id]


@asynccontextmanager
async def fetch_harness(
    sessions: async_sessionmaker[AsyncSession],
    data_dir: Path,
    *,
    max_bytes: int = 10 * 1024 * 1024,
    timeout_seconds: float = 5.0,
) -> AsyncIterator[FetchHarness]:
    """The harness over `sessions`, with its blob store under `data_dir`."""
    topics = Topics(f"fetchtest-{uuid.uuid4().hex[:8]}")
    broker = KafkaBroker()
    published: list[DocumentSubmitted] = []

    @broker.subscriber(topics.ingest_documents)
    async def on_document_submitted(event: DocumentSubmitted) -> None:
        """Record what the fetch published."""
        published.append(event)

    @broker.subscriber(topics.progress)
    async def on_progress(body: dict[str, Any]) -> None:
        """Run snapshots: published by the launcher, not asserted here."""

    blobs = BlobStore(data_dir / "blobs")
    async with TestKafkaBroker(broker) as test_broker, httpx.AsyncClient() as http:
        gate = RunGate(sessions)
        intake = DocumentIntake(sessions, blobs, test_broker, topics)
        fetcher = NewDataFetcher(sessions, intake, http, gate, FetchLimits(max_bytes, timeout_seconds))
        launcher = RunLauncher(
            sessions,
            test_broker,
            topics,
            gate,
            fetcher=fetcher,
            training=TrainingRuns(sessions, test_broker, topics, gate, blobs, scratch=data_dir / "tmp"),
            rescoring=RescoreRuns(sessions, test_broker, topics, gate, ActiveModels(sessions, blobs)),
        )
        yield FetchHarness(sessions, launcher, blobs, published)
