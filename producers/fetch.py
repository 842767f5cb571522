"""Fetch New Data: fetch every enabled source, register what is new as documents of the run, publish them.

Everything is fetched into the blob store first; then one transaction registers the new documents
with the run (through the same intake as uploads), remembers each item's fetch state and notes each
source's outcome; only then are the documents published. So the run never completes while files are
still being fetched, and a run cancelled during the fetch registers nothing.

A source that fails does not sink the others: its error is on the source (`last_error`) and in the
run's message, and the run's `success` is false. Only when every source failed does the run fail.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import httpx
import structlog
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.pipeline.context import Pipeline
from app.runs.gate import RunGate
from app.sources.changes import is_new_content
from app.sources.harvest import Fetched, Harvest, harvest
from app.sources.http import FetchLimits
from app.storage.run_documents import unknown_ids
from app.storage.runs import lock_run
from app.storage.sources import item_states, list_sources, record_fetch, save_item_states
from app.storage.tables import utcnow
from producers.documents import DocumentIntake
from schemas.runs import RunStatus
from schemas.sources import SourceRead

log = structlog.get_logger(__name__)
MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What a fetch did: how many sources it tried, how many new documents, and why the run failed."""

    sources: int
    new_documents: int = 0
    failure: str | None = None
    """Set when nothing could be fetched at all: every source failed."""


@dataclass(frozen=True, slots=True)
class NewDataFetcher:
    """Runs the fetch of a Fetch New Data run in the worker that claimed it."""

    sessions: async_sessionmaker[AsyncSession]
    intake: DocumentIntake
    http: httpx.AsyncClient
    gate: RunGate
    limits: FetchLimits

    @classmethod
    def for_pipeline(cls, pipeline: Pipeline, broker: KafkaBroker) -> "NewDataFetcher":
        """A fetcher sharing a worker's database, blob store, HTTP client and run gate."""
        intake = DocumentIntake(pipeline.sessions, pipeline.blobs, broker, pipeline.topics)
        settings = pipeline.settings
        limits = FetchLimits(settings.max_upload_bytes, settings.fetch_timeout_seconds)
        return cls(pipeline.sessions, intake, pipeline.http, pipeline.runs, limits)

    async def fetch(self, run_id: UUID) -> FetchOutcome:
        """Fetch every enabled source for the run and register what is new; a no-op once it is cancelled."""
        async with self.sessions() as session:
            sources = [row.read() for row in await list_sources(session, enabled_only=True)]
            known = {source.id: await item_states(session, source.id) for source in sources}
        if not sources:
            return FetchOutcome(sources=0)

        async def stopped() -> bool:
            return await self.gate.is_cancelled(run_id)

        harvests = []
        for source in sources:
            harvests.append(
                await harvest(
                    source,
                    known[source.id],
                    http=self.http,
                    blobs=self.intake.blobs,
                    limits=self.limits,
                    stopped=stopped,
                )
            )
            if await stopped():
                return FetchOutcome(sources=len(sources))
        return await self._register(run_id, sources, harvests)

    async def _register(
        self, run_id: UUID, sources: Sequence[SourceRead], harvests: Sequence[Harvest]
    ) -> FetchOutcome:
        now = utcnow()
        problems = [
            f"Source '{s.name}': {h.summary}" for s, h in zip(sources, harvests, strict=True) if h.summary
        ]
        everything_failed = all(h.failed for h in harvests)
        admitted: list[tuple[Fetched, str]] = []
        async with self.sessions.begin() as session:
            run = await lock_run(session, run_id)
            if run is None or run.status is not RunStatus.RUNNING:
                return FetchOutcome(sources=len(sources))  # cancelled meanwhile: nothing joins it
            documents = await _known_documents(session, [f.blob.sha256 for h in harvests for f in h.fetched])
            for source, outcome in zip(sources, harvests, strict=True):
                for item in outcome.fetched:
                    if not is_new_content(item.blob.sha256, item.previous, documents):
                        continue
                    intake = await self.intake.admit(
                        session, item.blob, filename=item.filename, source=source.name, run_id=run_id
                    )
                    if not intake.duplicate:
                        admitted.append((item, source.name))
                await save_item_states(session, source.id, outcome.states, now)
                await record_fetch(session, source.id, now, outcome.summary)
            if problems and not everything_failed:
                run.message = _joined(problems)
        for item, source_name in admitted:
            await self.intake.announce(
                item.blob.sha256, filename=item.filename, source=source_name, run_id=run_id
            )
        log.info(
            "fetched new data",
            run_id=run_id,
            sources=len(sources),
            new_documents=len(admitted),
            problems=len(problems),
        )
        failure = _joined(problems) if everything_failed else None
        return FetchOutcome(sources=len(sources), new_documents=len(admitted), failure=failure)


async def _known_documents(session: AsyncSession, sha256s: Sequence[str]) -> set[str]:
    if not sha256s:
        return set()
    return set(sha256s) - set(await unknown_ids(session, list(set(sha256s))))


def _joined(problems: Sequence[str]) -> str:
    text = " ".join(problem if problem.endswith(".") else f"{problem}." for problem in problems)
    return text if len(text) <= MAX_MESSAGE_CHARS else text[: MAX_MESSAGE_CHARS - 1] + "…"
