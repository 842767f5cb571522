"""Runs that count their own steps or items rather than documents: Train Model (its steps) and
Rescore Data over a dataset (its records).

The worker doing the work writes the counts, each time after locking the run, and `refresh_run`
keeps them while deriving status, rate, ETA and revision as for any run: a run whose `done` reaches
its `total` completes. A cancelled run is no longer running, so its worker's next write is refused.
"""

from datetime import datetime, timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.runs.ledger import fail_run, refresh_run
from app.runs.tasks import RESCORE, TRAIN_MODEL, counts_itself
from app.storage.run_tables import RunRow
from app.storage.runs import lock_run
from schemas.runs import RunStatus

TRAINING_STEPS = (
    "Loading the training data",
    "Fitting and cross-validating",
    "Saving the model",
    "Activating the model",
)
ABANDONED_AFTER = {TRAIN_MODEL: timedelta(minutes=31), RESCORE: timedelta(minutes=5)}
"""A running run whose worker wrote nothing for this long was abandoned (its process stopped).
Training writes nothing while fitting, for at most `app.registry.training.TRAINING_TIMEOUT_SECONDS`."""
ABANDONED = "The worker running it stopped before it finished; start it again."


def training_steps(activate: bool) -> tuple[str, ...]:
    """The steps of a Train Model run: activating is one only when asked for."""
    return TRAINING_STEPS if activate else TRAINING_STEPS[:-1]


async def set_progress(
    session: AsyncSession, run_id: UUID, *, done: int, total: int, message: str | None, now: datetime
) -> RunRow | None:
    """Write a running run's counts and the step it is at; None if it is not running (e.g. cancelled)."""
    run = await lock_run(session, run_id)
    if run is None or run.status is not RunStatus.RUNNING:
        return None
    run.total, run.done, run.message = total, min(done, total), message
    return await refresh_run(session, run, now)


async def fail_abandoned(session: AsyncSession, now: datetime) -> list[RunRow]:
    """Fail running self-counted runs whose worker has been silent too long; the runs failed."""
    candidates = await session.scalars(
        select(RunRow).where(RunRow.status == RunStatus.RUNNING, RunRow.task.in_(list(ABANDONED_AFTER)))
    )
    failed = []
    for run_id in [run.id for run in candidates if counts_itself(run.task, run.parameters)]:
        run = await lock_run(session, run_id)  # re-read under the lock: its worker may just have written
        if run is not None and run.status is RunStatus.RUNNING and _silent(run, now):
            failed.append(await fail_run(session, run_id, ABANDONED, now))
    return [run for run in failed if run is not None]


def _silent(run: RunRow, now: datetime) -> bool:
    return now - run.updated_at > ABANDONED_AFTER[run.task]
