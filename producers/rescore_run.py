"""Rescore Data runs: past documents or a dataset's records scored again with the active models.

Documents replay from the score stage: each chosen document's stored extraction result is
republished as `DocumentExtracted`, so the score stage predicts with today's models and the store
stage keeps the predictions; the run counts documents like any replay. Documents stored before any
model existed get their predictions this way. Records are scored here, in batches, and their scores
written in place; the run counts records. Without an active model the run fails at once.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import anyio
import structlog
from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import RunCancelled
from app.ml.anomaly import score_records
from app.registry.cache import ActiveModels
from app.runs.gate import RunGate
from app.storage.models import active_model
from app.storage.records import count_records
from app.storage.rescoring import extraction_results, record_page, set_record_scores
from app.storage.run_documents import add_run_documents, select_documents, skip_unqueued
from app.storage.run_tables import RunRow
from app.storage.runs import ensure_run_active
from app.storage.tables import DocumentRow
from producers.run_steps import RunReporter
from schemas.documents import DocumentExtracted
from schemas.models import DOCUMENTS_SCOPE, ModelKind
from schemas.runs import RunDocumentStatus
from schemas.topics import Topics

log = structlog.get_logger(__name__)
NOT_EXTRACTED = "Not extracted yet: run Extract Data or Full Pipeline on it first."
NO_DOCUMENT_MODEL = "No active document model: train a classifier or topics model and activate it first."
PUBLISH_CHUNK = 200
RECORD_BATCH = 500


def rescore_event(run_id: UUID, doc: DocumentRow, result_sha256: str) -> DocumentExtracted:
    """A stored document's extraction, as the score stage's input in a run."""
    return DocumentExtracted(
        doc_id=doc.id,
        run_id=run_id,
        result_sha256=result_sha256,
        page_count=doc.page_count or 0,
        table_count=doc.table_count or 0,
    )


async def republish(
    sessions: async_sessionmaker[AsyncSession],
    broker: KafkaBroker,
    topics: Topics,
    pending: Sequence[tuple[UUID, DocumentRow]],
) -> None:
    """After a restart: put the unfinished documents of running rescore runs back on the score stage."""
    if not pending:
        return
    async with sessions() as session:
        results = await extraction_results(session, [doc.id for _, doc in pending])
    for run_id, doc in pending:
        if doc.id in results:
            event = rescore_event(run_id, doc, results[doc.id])
            await broker.publish(event, topics.documents_extracted, key=doc.id.encode())


@dataclass(frozen=True, slots=True)
class RescoreRuns:
    """Carries out the Rescore Data runs this worker claims."""

    sessions: async_sessionmaker[AsyncSession]
    broker: KafkaBroker
    topics: Topics
    gate: RunGate
    models: ActiveModels

    @property
    def _reporter(self) -> RunReporter:
        return RunReporter(self.sessions, self.broker, self.topics)

    async def launch(self, run: RunRow) -> None:
        """Rescore the run's dataset's records, or else its documents."""
        dataset = (run.parameters or {}).get("dataset")
        if dataset:
            await self._records(run, str(dataset))
        else:
            await self._documents(run)

    async def _documents(self, run: RunRow) -> None:
        if not await self._has_document_model():
            await self._reporter.fail(run.id, NO_DOCUMENT_MODEL)
            return
        async with self.sessions.begin() as session:
            documents = await select_documents(session, run.selection)
            results = await extraction_results(session, [doc.id for doc in documents])
            entries = [
                (doc.id, RunDocumentStatus.QUEUED, None)
                if doc.id in results
                else (doc.id, RunDocumentStatus.SKIPPED, NOT_EXTRACTED)
                for doc in documents
            ]
            await add_run_documents(session, run.id, entries)
        ready = [(doc, results[doc.id]) for doc in documents if doc.id in results]
        await self._reporter.refresh(run.id)
        log.info("rescore launched", run_id=run.id, documents=len(documents), queued=len(ready))
        for start in range(0, len(ready), PUBLISH_CHUNK):
            if await self.gate.is_cancelled(run.id):
                await self._skip(run.id, [doc.id for doc, _ in ready[start:]])
                return
            chunk = ready[start : start + PUBLISH_CHUNK]
            await asyncio.gather(*(self._publish(run.id, doc, sha) for doc, sha in chunk))

    async def _publish(self, run_id: UUID, doc: DocumentRow, result_sha256: str) -> None:
        event = rescore_event(run_id, doc, result_sha256)
        await self.broker.publish(event, self.topics.documents_extracted, key=doc.id.encode())

    async def _has_document_model(self) -> bool:
        async with self.sessions() as session:
            kinds = (ModelKind.DOCUMENT_CLASSIFIER, ModelKind.DOCUMENT_TOPICS)
            return any([await active_model(session, kind, DOCUMENTS_SCOPE) for kind in kinds])

    async def _skip(self, run_id: UUID, doc_ids: Sequence[str]) -> None:
        async with self.sessions.begin() as session:
            await skip_unqueued(session, run_id, doc_ids, datetime.now(UTC))
        await self._reporter.refresh(run_id)

    async def _records(self, run: RunRow, dataset: str) -> None:
        model = await self.models.get(ModelKind.RECORD_ANOMALY, dataset)
        if model is None:
            await self._reporter.fail(
                run.id, f"No active anomaly model for {dataset!r}: train one and activate it first."
            )
            return
        async with self.sessions() as session:
            total = await count_records(session, dataset)
        message = f"scoring with {model.version}" if total else f"no records to score with {model.version}"
        if not await self._reporter.progress(run.id, done=0, total=total, message=message):
            return
        done, page = 0, await self._page(dataset, after="")
        while page:
            scores = await anyio.to_thread.run_sync(score_records, model, [data for _, data in page])
            try:
                async with self.sessions.begin() as session:
                    await set_record_scores(
                        session, dataset, [(key, score) for (key, _), score in zip(page, scores, strict=True)]
                    )
                    await ensure_run_active(session, run.id)  # after the first write: a cancel wins
            except RunCancelled:
                return
            done += len(page)
            page = await self._page(dataset, after=page[-1][0])
            # Records that arrived meanwhile are scored too; the run completes after the last page.
            total = max(total, done + len(page)) if page else done
            step = message if page else f"scored with {model.version}"
            if not await self._reporter.progress(run.id, done=done, total=total, message=step):
                return

    async def _page(self, dataset: str, *, after: str) -> list[tuple[str, dict[str, Any]]]:
        async with self.sessions() as session:
            return await record_page(session, dataset, after=after, limit=RECORD_BATCH)
