"""Runs in the database: counts derived from documents, one launcher per run, no work after a cancel."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.errors import ConflictError, RunCancelled
from app.runs.gate import RunGate
from app.runs.ledger import apply_progress, cancel_run, refresh_run
from app.runs.live import live_run_id
from app.storage.content import store_extraction
from app.storage.engine import create_sessionmaker
from app.storage.run_documents import add_run_documents, join_run, pending_replays
from app.storage.runs import claim_run, create_run, ensure_live_run, ensure_run_active, get_run, lock_run
from schemas.documents import DocumentSubmitted
from schemas.progress import DocumentProgressed, Outcome
from schemas.runs import RunDocumentStatus, RunStatus, TriggerKind
from tests.storage.samples import doc_id, extraction, registered

NOW = datetime(2024, 11, 25, 12, 0, tzinfo=UTC)


async def a_run(session: AsyncSession, *seeds: str, task: str = "full-pipeline") -> uuid.UUID:
    """A running run of `task` over documents made from `seeds`."""
    run = await create_run(
        session,
        run_id=uuid.uuid4(),
        task=task,
        selection={"kind": "all"},
        started_by=(TriggerKind.USER, "ada"),
        now=NOW,
    )
    for seed in seeds:
        await registered(session, seed)
    await add_run_documents(session, run.id, [(doc_id(s), RunDocumentStatus.QUEUED, None) for s in seeds])
    assert await claim_run(session, run.id, NOW) is not None
    await session.commit()
    return run.id


def report(run_id: uuid.UUID, seed: str, stage: str, outcome: Outcome = Outcome.DONE) -> DocumentProgressed:
    """A stage's report on the document made from `seed`."""
    return DocumentProgressed(
        run_id=run_id, doc_id=doc_id(seed), stage=stage, outcome=outcome, occurred_at=NOW, error=None
    )


async def test_a_report_delivered_twice_counts_once(session: AsyncSession) -> None:
    run_id = await a_run(session, "a", "b")

    first = await apply_progress(session, report(run_id, "a", "store"), NOW)
    again = await apply_progress(session, report(run_id, "a", "store"), NOW + timedelta(seconds=1))

    assert first is not None and (first.total, first.done, first.status) == (2, 1, RunStatus.RUNNING)
    assert again is None
    run = await get_run(session, run_id)
    assert run is not None and (run.done, run.revision) == (1, first.revision)


async def test_the_run_completes_when_its_last_document_is_accounted_for(session: AsyncSession) -> None:
    run_id = await a_run(session, "a", "b", "c")

    for seed, outcome in (("a", Outcome.DONE), ("b", Outcome.FAILED), ("c", Outcome.SKIPPED)):
        await apply_progress(session, report(run_id, seed, "clean"), NOW)
        run = await apply_progress(
            session, report(run_id, seed, "store", outcome), NOW + timedelta(seconds=2)
        )

    assert run is not None
    assert (run.done, run.failed, run.skipped, run.total) == (1, 1, 1, 3)
    assert (run.status, run.success, run.finished_at) == (
        RunStatus.COMPLETED,
        False,
        NOW + timedelta(seconds=2),
    )


async def test_an_intermediate_stage_leaves_the_document_running_and_a_late_one_changes_nothing(
    session: AsyncSession,
) -> None:
    run_id = await a_run(session, "a")

    await apply_progress(session, report(run_id, "a", "clean"), NOW)
    running = await get_run(session, run_id)
    assert running is not None and running.done == 0
    await apply_progress(session, report(run_id, "a", "store"), NOW)
    late = await apply_progress(session, report(run_id, "a", "extract", Outcome.SKIPPED), NOW)

    assert late is None
    run = await get_run(session, run_id)
    assert run is not None and (run.done, run.skipped, run.status) == (1, 0, RunStatus.COMPLETED)


async def test_a_stage_outside_the_run_does_not_count(session: AsyncSession) -> None:
    run_id = await a_run(session, "a", task="clean-pdf")

    assert await apply_progress(session, report(run_id, "a", "store"), NOW) is None
    run = await apply_progress(session, report(run_id, "a", "clean"), NOW)

    assert run is not None and (run.done, run.status) == (1, RunStatus.COMPLETED)


async def test_only_one_of_two_concurrent_claims_launches_a_run(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        run = await create_run(
            session,
            run_id=uuid.uuid4(),
            task="clean-pdf",
            selection={},
            started_by=(TriggerKind.USER, None),
            now=NOW,
        )

    async def claim() -> bool:
        async with sessions.begin() as session:
            return await claim_run(session, run.id, NOW) is not None

    assert sorted(await asyncio.gather(claim(), claim())) == [False, True]


async def test_after_a_cancel_no_stage_transaction_can_commit_work_of_the_run(session: AsyncSession) -> None:
    run_id = await a_run(session, "a")
    await ensure_run_active(session, run_id)  # running: fine

    cancelled = await cancel_run(session, run_id, NOW)
    await session.commit()

    assert cancelled is not None and cancelled.status is RunStatus.CANCELLED
    with pytest.raises(RunCancelled):
        await ensure_run_active(session, run_id)
    with pytest.raises(ConflictError, match="already cancelled"):
        await cancel_run(session, run_id, NOW)


async def test_a_live_run_is_created_once_counts_each_document_once_and_cannot_be_cancelled(
    session: AsyncSession,
) -> None:
    run_id = live_run_id("api", date(2024, 11, 25))
    for _ in range(2):
        await ensure_live_run(
            session, run_id=run_id, task="live-ingestion", source="api", day=date(2024, 11, 25), now=NOW
        )
    await registered(session, "a")

    assert await join_run(session, run_id, doc_id("a")) is True
    assert await join_run(session, run_id, doc_id("a")) is False
    run = await lock_run(session, run_id)
    assert run is not None and (run.total, run.live, run.status) == (1, True, RunStatus.RUNNING)
    run = await refresh_run(session, run, NOW)
    assert run.total == 1
    with pytest.raises(ConflictError, match="live-ingestion"):
        await cancel_run(session, run_id, NOW)


async def test_the_gate_learns_of_a_cancel_from_the_database_and_from_the_control_topic(
    engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        first, second = await a_run(session, "a"), await a_run(session, "b")
    gate = RunGate(sessions, recheck_seconds=0)

    assert not await gate.is_cancelled(first)
    async with sessions.begin() as session:
        await cancel_run(session, first, NOW)
    gate.cancel(second)

    assert await gate.is_cancelled(first)
    assert await gate.is_cancelled(second)
    assert not await gate.is_cancelled(None)


async def test_the_gate_puts_a_document_without_a_run_in_its_sources_live_run(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    gate = RunGate(sessions)
    event = DocumentSubmitted(blob_sha256=doc_id("a"), source="scanner-7")

    admitted = await gate.admit(event)

    assert admitted.run_id == live_run_id("scanner-7", datetime.now(UTC).date())
    async with sessions() as session:
        run = await get_run(session, admitted.run_id)
    assert run is not None and (run.live, run.source, run.task) == (True, "scanner-7", "live-ingestion")
    assert not await gate.redoes(admitted.run_id, done_by=None), "live ingestion never redoes finished work"


async def test_a_replay_redoes_a_stage_once_per_run(session: AsyncSession, engine: AsyncEngine) -> None:
    run_id = await a_run(session, "a")
    gate = RunGate(create_sessionmaker(engine))

    assert await gate.redoes(run_id, done_by=uuid.uuid4())
    assert not await gate.redoes(run_id, done_by=run_id)
    assert not await gate.redoes(None, done_by=run_id)


async def test_after_a_restart_only_replays_of_finished_documents_need_resuming_by_the_run(
    session: AsyncSession,
) -> None:
    run_id = await a_run(session, "stored", "received", "done")
    await store_extraction(session, doc_id("stored"), extraction(pages=1, tables=0))
    await store_extraction(session, doc_id("done"), extraction(pages=1, tables=0))
    await apply_progress(session, report(run_id, "done", "store"), NOW)
    await session.commit()

    pending = await pending_replays(session)

    assert [(run, document.id) for run, _, document in pending] == [(run_id, doc_id("stored"))]
