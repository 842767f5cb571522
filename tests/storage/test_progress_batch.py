"""Run progress applied in batches: one transaction, one snapshot per run, the counts of one by one."""

import uuid

from sqlalchemy.ext.asyncio import AsyncEngine

from app.runs.progress import record_progress_batch
from app.storage.engine import create_sessionmaker
from app.storage.runs import get_run
from schemas.progress import Outcome
from schemas.runs import RunStatus
from tests.storage.test_runs import a_run, report


async def test_a_batch_gives_each_changed_run_one_snapshot_with_every_report_counted(
    engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        first = await a_run(session, "a", "b")
        second = await a_run(session, "c")

    snapshots = await record_progress_batch(
        sessions,
        [
            report(first, "a", "clean"),
            report(second, "c", "store"),
            report(first, "a", "store"),
            report(first, "b", "clean", Outcome.FAILED),
            report(first, "a", "store"),  # a redelivery in the same batch
        ],
    )

    by_run = {snapshot.id: snapshot for snapshot in snapshots}
    assert set(by_run) == {first, second} and len(snapshots) == 2
    assert (by_run[first].counts.done, by_run[first].counts.failed) == (1, 1)
    assert by_run[first].status is RunStatus.COMPLETED
    assert (by_run[second].counts.total, by_run[second].counts.done) == (1, 1)


async def test_a_batch_of_redeliveries_changes_nothing_and_announces_nothing(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        run_id = await a_run(session, "a", "b")
    await record_progress_batch(sessions, [report(run_id, "a", "store")])
    async with sessions() as session:
        before = await get_run(session, run_id)
    assert before is not None

    again = await record_progress_batch(
        sessions, [report(run_id, "a", "store"), report(run_id, "a", "extract", Outcome.SKIPPED)]
    )

    assert again == []
    async with sessions() as session:
        after = await get_run(session, run_id)
    assert after is not None and (after.done, after.revision) == (1, before.revision)


async def test_reports_for_an_unknown_run_are_ignored_beside_a_known_one(engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(engine)
    async with sessions() as session:
        run_id = await a_run(session, "a")

    snapshots = await record_progress_batch(
        sessions, [report(uuid.uuid4(), "a", "store"), report(run_id, "a", "store")]
    )

    assert [snapshot.id for snapshot in snapshots] == [run_id]
