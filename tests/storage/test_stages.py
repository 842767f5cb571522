"""Stage bookkeeping: attempts are counted, outcomes are upserts, redeliveries change nothing."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.stages import (
    get_stage,
    list_stages,
    mark_stage_completed,
    mark_stage_done,
    mark_stage_failed,
    mark_stage_started,
)
from app.storage.tables import DocumentStageRow, StageStatus, utcnow
from schemas.documents import Stage
from tests.storage.samples import registered, values

RESULT_SHA = "a" * 64


async def stage_row(session: AsyncSession, doc_id: str, stage: str) -> DocumentStageRow:
    """The stage row, which must exist."""
    row = await get_stage(session, doc_id, stage)
    assert row is not None
    return row


async def test_starting_a_stage_records_the_worker_and_one_attempt(session: AsyncSession) -> None:
    row = await registered(session, "start")

    await mark_stage_started(session, row.id, Stage.CLEAN, "worker-1:4242")

    stage = await get_stage(session, row.id, Stage.CLEAN)
    assert stage is not None
    assert (stage.status, stage.attempts, stage.worker) == (StageStatus.RUNNING, 1, "worker-1:4242")
    assert (stage.output_ref, stage.error, stage.finished_at) == (None, None, None)


async def test_every_delivery_of_a_stage_counts_one_more_attempt(session: AsyncSession) -> None:
    row = await registered(session, "attempts")
    await mark_stage_started(session, row.id, Stage.EXTRACT, "worker-1:1")
    await mark_stage_failed(session, row.id, Stage.EXTRACT, "worker died")

    await mark_stage_started(session, row.id, Stage.EXTRACT, "worker-2:2")

    stage = await get_stage(session, row.id, Stage.EXTRACT)
    assert stage is not None
    assert (stage.status, stage.attempts, stage.worker) == (StageStatus.RUNNING, 2, "worker-2:2")
    assert (stage.error, stage.finished_at) == (None, None)


async def test_a_done_stage_keeps_what_it_produced(session: AsyncSession) -> None:
    row = await registered(session, "done")
    await mark_stage_started(session, row.id, Stage.EXTRACT, "worker-1:1")

    await mark_stage_done(session, row.id, Stage.EXTRACT, output_ref=RESULT_SHA)

    stage = await get_stage(session, row.id, Stage.EXTRACT)
    assert stage is not None
    assert (stage.status, stage.output_ref, stage.attempts) == (StageStatus.DONE, RESULT_SHA, 1)
    assert stage.finished_at is not None
    assert stage.finished_at >= stage.started_at


async def test_marking_a_stage_done_twice_leaves_the_same_row_apart_from_its_time(
    session: AsyncSession,
) -> None:
    row = await registered(session, "done twice")
    await mark_stage_started(session, row.id, Stage.STORE, "worker-1:1")
    await mark_stage_done(session, row.id, Stage.STORE, output_ref=RESULT_SHA)
    first = values(await stage_row(session, row.id, Stage.STORE))

    await mark_stage_done(session, row.id, Stage.STORE, output_ref=RESULT_SHA)

    again = values(await stage_row(session, row.id, Stage.STORE))
    assert {**again, "finished_at": None} == {**first, "finished_at": None}
    assert len(await list_stages(session, row.id)) == 1


async def test_a_failed_stage_records_why(session: AsyncSession) -> None:
    row = await registered(session, "failed")
    await mark_stage_started(session, row.id, Stage.CLEAN, "worker-1:1")

    await mark_stage_failed(session, row.id, Stage.CLEAN, "encrypted PDF")

    stage = await get_stage(session, row.id, Stage.CLEAN)
    assert stage is not None
    assert (stage.status, stage.error, stage.output_ref) == (
        StageStatus.FAILED,
        "encrypted PDF",
        None,
    )


async def test_finishing_a_stage_that_was_never_started_still_records_it(
    session: AsyncSession,
) -> None:
    row = await registered(session, "unstarted")

    await mark_stage_done(session, row.id, Stage.CLEAN)

    stage = await get_stage(session, row.id, Stage.CLEAN)
    assert stage is not None
    assert (stage.status, stage.attempts, stage.worker) == (StageStatus.DONE, 1, None)


async def test_list_stages_returns_a_documents_stages_in_the_order_they_started(
    session: AsyncSession,
) -> None:
    row = await registered(session, "three stages")
    other = await registered(session, "other")
    for stage in (Stage.CLEAN, Stage.EXTRACT, Stage.STORE):
        await mark_stage_started(session, row.id, stage, "worker-1:1")
    await mark_stage_started(session, other.id, Stage.CLEAN, "worker-1:1")

    assert [s.stage for s in await list_stages(session, row.id)] == ["clean", "extract", "store"]
    assert await get_stage(session, row.id, "score") is None


async def test_a_short_stage_records_a_whole_attempt_in_one_write(session: AsyncSession) -> None:
    row = await registered(session, "whole attempt")
    started = utcnow()
    await mark_stage_completed(
        session, row.id, Stage.STORE, "worker-1:1", started_at=started, output_ref="x" * 64
    )

    await mark_stage_completed(
        session, row.id, Stage.STORE, "worker-2:2", started_at=started, output_ref=RESULT_SHA
    )

    stage = await stage_row(session, row.id, Stage.STORE)
    assert (stage.status, stage.attempts, stage.worker) == (StageStatus.DONE, 2, "worker-2:2")
    assert (stage.output_ref, stage.error) == (RESULT_SHA, None)
    assert stage.finished_at is not None and stage.finished_at >= stage.started_at
