"""The run ledger: apply a stage's report on a document, and derive the run's counts, status, rate and ETA.

Each function runs inside the caller's transaction and starts by locking the run (see
`app.storage.runs`), so concurrent reports, cancels and launches are serialised per run.
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.runs.live import day_is_over
from app.runs.rate import RateSample, eta_seconds, update_rate
from app.runs.state import check_cancellable, document_status_after, run_status_after, success_of
from app.runs.tasks import FETCH_NEW_DATA, TASKS, TaskDefinition, counts_itself
from app.storage.documents import get_document
from app.storage.run_documents import count_run_documents, get_run_document, set_run_document
from app.storage.run_tables import RunRow
from app.storage.runs import lock_run
from schemas.progress import DocumentProgressed
from schemas.runs import FINAL_RUN_STATUSES, RunCounts, RunDocumentStatus, RunStatus

log = structlog.get_logger(__name__)


async def apply_progress(session: AsyncSession, event: DocumentProgressed, now: datetime) -> RunRow | None:
    """Apply one stage report to its run; return the refreshed run, or None if nothing changed."""
    return await apply_run_reports(session, event.run_id, [event], now)


async def apply_run_reports(
    session: AsyncSession, run_id: UUID, events: Sequence[DocumentProgressed], now: datetime
) -> RunRow | None:
    """Apply a run's stage reports in order under one lock and one recount; None if nothing changed.

    The same as applying them one by one: each report is idempotent per (run, document, stage).
    """
    run = await lock_run(session, run_id)
    if run is None:
        log.warning("progress for an unknown run ignored", run_id=run_id, reports=len(events))
        return None
    task = TASKS.get(run.task)
    if task is None:
        return None
    changed = False
    for event in events:
        if event.stage in task.stages:  # e.g. a stage downstream of a Clean PDF run is not part of it
            changed = await _apply_to_document(session, run, task, event, now) or changed
    return await refresh_run(session, run, now) if changed else None


async def _apply_to_document(
    session: AsyncSession, run: RunRow, task: TaskDefinition, event: DocumentProgressed, now: datetime
) -> bool:
    current = await get_run_document(session, run.id, event.doc_id)
    if current is None and await get_document(session, event.doc_id) is None:
        return False
    before = current.status if current is not None else RunDocumentStatus.QUEUED
    after = document_status_after(before, event.outcome, stage=event.stage, last_stage=task.last_stage)
    if (
        current is not None
        and after is before
        and (after is not RunDocumentStatus.RUNNING or current.stage == event.stage)
    ):
        return False  # a redelivery, or a late report on a document already final
    await set_run_document(
        session, run.id, event.doc_id, status=after, stage=event.stage, error=event.error, now=now
    )
    return True


async def refresh_run(session: AsyncSession, run: RunRow, now: datetime) -> RunRow:
    """Recount a locked run's documents; advance its status, success, rate, ETA and revision.

    A run that counts steps or records itself (`counts_itself`) keeps the counts its worker wrote.
    """
    if counts_itself(run.task, run.parameters):
        counts = RunCounts(total=run.total, done=run.done, failed=run.failed, skipped=run.skipped)
    else:
        counts = await count_run_documents(session, run.id)
    status = run_status_after(run.status, counts, live=run.live, day_over=day_is_over(run.day, now))
    previous = RateSample(
        run.rate_per_second, run.rate_sampled_at or run.started_at or now, run.rate_sampled_count
    )
    sample = update_rate(previous, counts.processed, now)
    run.total, run.done, run.failed, run.skipped = counts.total, counts.done, counts.failed, counts.skipped
    run.rate_per_second, run.rate_sampled_at = sample.per_second, sample.sampled_at
    run.rate_sampled_count = sample.sampled_count
    run.eta_seconds = eta_seconds(counts.pending, sample.per_second)
    if status is not run.status:
        run.status = status
    # A Fetch New Data run's message lists the sources or files it could not fetch.
    run.success = success_of(run.status, counts, problems=run.task == FETCH_NEW_DATA and bool(run.message))
    if run.status in FINAL_RUN_STATUSES and run.finished_at is None:
        run.finished_at = now
    run.revision += 1
    run.updated_at = now
    await session.flush()
    return run


async def cancel_run(session: AsyncSession, run_id: UUID, now: datetime) -> RunRow | None:
    """Mark a run cancelled; None if it does not exist, ConflictError if it cannot be cancelled."""
    run = await lock_run(session, run_id)
    if run is None:
        return None
    check_cancellable(run.status, live=run.live)
    run.status = RunStatus.CANCELLED
    run.finished_at = now
    return await refresh_run(session, run, now)


async def fail_run(session: AsyncSession, run_id: UUID, message: str, now: datetime) -> RunRow | None:
    """Mark a run failed as a whole, with the reason a person reads."""
    run = await lock_run(session, run_id)
    if run is None:
        return None
    if run.status not in FINAL_RUN_STATUSES:
        run.status = RunStatus.FAILED
        run.message = message[:2000]
        run.finished_at = now
    return await refresh_run(session, run, now)
