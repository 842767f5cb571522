"""Extract stage work: pdfplumber in the process pool; the result becomes a blob, the event stays small."""

import tempfile
from pathlib import Path

import anyio

from app.errors import RunCancelled
from app.pdf.extract import ExtractionCancelled
from app.pipeline.context import Pipeline
from app.storage.documents import record_extracted
from app.storage.runs import ensure_run_active
from app.storage.stages import get_stage, mark_stage_started
from schemas.documents import DocumentCleaned, DocumentExtracted, Stage
from schemas.extraction import ExtractionResult


async def extract_document(pipeline: Pipeline, event: DocumentCleaned) -> DocumentExtracted:
    """Extract text, tables and metadata once; a redelivery re-announces the stored result."""
    async with pipeline.sessions.begin() as session:
        stage = await get_stage(session, event.doc_id, Stage.EXTRACT)
        done_ref = stage.output_ref if stage is not None and stage.status == "done" else None
        if (
            done_ref is not None
            and pipeline.blobs.exists(done_ref)
            and not await pipeline.runs.redoes(event.run_id, stage.run_id if stage else None)
        ):
            return await _announce_existing(pipeline, event, done_ref)
        await mark_stage_started(
            session, event.doc_id, Stage.EXTRACT, pipeline.worker_id, run_id=event.run_id
        )

    scratch = pipeline.settings.data_dir / "tmp"
    await anyio.Path(scratch).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as work:
        out, stop = Path(work) / "extraction.json", Path(work) / "stop"
        try:
            async with pipeline.runs.watch(event.run_id, stop):  # creates `stop` if the run is cancelled
                summary = await pipeline.extractor.extract(pipeline.blobs.path(event.doc_id), out, stop)
        except ExtractionCancelled as exc:
            raise RunCancelled(str(exc)) from exc
        result_blob = await anyio.to_thread.run_sync(pipeline.blobs.put_file, out)

    async with pipeline.sessions.begin() as session:
        await record_extracted(session, event.doc_id, result_blob.sha256)  # marks the stage done too
        await ensure_run_active(session, event.run_id)
    return DocumentExtracted(
        doc_id=event.doc_id,
        run_id=event.run_id,
        result_sha256=result_blob.sha256,
        page_count=summary.page_count,
        table_count=summary.table_count,
    )


async def _announce_existing(
    pipeline: Pipeline, event: DocumentCleaned, result_sha256: str
) -> DocumentExtracted:
    result = await load_result(pipeline, result_sha256)
    return DocumentExtracted(
        doc_id=event.doc_id,
        run_id=event.run_id,
        result_sha256=result_sha256,
        page_count=result.page_count,
        table_count=len(result.tables),
    )


async def load_result(pipeline: Pipeline, result_sha256: str) -> ExtractionResult:
    """Read an extraction result back from the blob store."""
    raw = await anyio.Path(pipeline.blobs.path(result_sha256)).read_bytes()
    return await anyio.to_thread.run_sync(ExtractionResult.model_validate_json, raw)
