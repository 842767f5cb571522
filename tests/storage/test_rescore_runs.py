"""Rescore Data runs in the run ledger: score reports count like any stage's, on both databases."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.runs.ledger import apply_progress
from app.runs.tasks import RESCORE
from app.storage.run_documents import get_run_document
from schemas.progress import Outcome
from schemas.runs import RunDocumentStatus, RunStatus
from tests.storage.samples import doc_id
from tests.storage.test_runs import NOW, a_run, report


async def test_score_reports_move_a_rescore_runs_documents_and_store_finishes_them(
    session: AsyncSession,
) -> None:
    run_id = await a_run(session, "kept", "broken", task=RESCORE)

    scored = await apply_progress(session, report(run_id, "kept", "score"), NOW)
    assert scored is not None and (scored.done, scored.status) == (0, RunStatus.RUNNING)
    kept = await get_run_document(session, run_id, doc_id("kept"))
    assert kept is not None and (kept.status, kept.stage) == (RunDocumentStatus.RUNNING, "score")
    failed = await apply_progress(session, report(run_id, "broken", "score", Outcome.FAILED), NOW)
    assert failed is not None and (failed.failed, failed.status) == (1, RunStatus.RUNNING)

    stored = await apply_progress(session, report(run_id, "kept", "store"), NOW + timedelta(seconds=1))

    assert stored is not None and (stored.done, stored.failed, stored.total) == (1, 1, 2)
    assert (stored.status, stored.success) == (RunStatus.COMPLETED, False)


async def test_a_rescore_run_ignores_stages_before_scoring(session: AsyncSession) -> None:
    run_id = await a_run(session, "a", task=RESCORE)

    assert await apply_progress(session, report(run_id, "a", "extract"), NOW) is None
