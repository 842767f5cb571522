"""The scheduler: every worker process fires due task schedules, and each fire happens once.

Every few seconds (`HEADWATER_SCHEDULE_TICK_SECONDS`) each worker process reads the schedules whose
next fire time has come and decides with `plan_fire` (the missed-fire policy, app/schedules/policy.py).
It then claims the fire: one conditional UPDATE moving `next_fire_at` on, which exactly one process
wins however many try. The winner starts the run the way the API does (`RunCommands.start`: the
queued run in the database, then `StartRun` on the control topic), started by the schedule. The
claim and the queued run commit in one transaction, so a process dying in between loses nothing.
"""

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import structlog
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import HeadwaterError
from app.periodic import every
from app.schedules.cron import CronSchedule, InvalidSchedule
from app.schedules.policy import Action, FirePlan, plan_fire
from app.storage.schedules import ScheduleRow, claim_fire, due_schedules, record_scheduled_run
from producers.runs import QueuedRun, RunCommands
from schemas.runs import StartedBy, StartRunRequest, TriggerKind

log = structlog.get_logger(__name__)


def started_by(row: ScheduleRow) -> StartedBy:
    """Who a scheduled run says started it: the schedule, e.g. "0 4 * * * (America/Toronto)"."""
    return StartedBy(kind=TriggerKind.SCHEDULE, name=f"{row.cron} ({row.timezone})")


@dataclass(frozen=True, slots=True)
class Scheduler:
    """Fires the task schedules that are due; any number of processes may run one at once."""

    sessions: async_sessionmaker[AsyncSession]
    runs: RunCommands
    grace: timedelta
    """A missed fire older than this is skipped instead of run late."""

    async def tick(self, now: datetime | None = None) -> list[UUID]:
        """Fire every due schedule this process wins the claim of; the runs it started."""
        at = now or datetime.now(UTC)
        async with self.sessions() as session:
            due = await due_schedules(session, at)
        started = []
        for row in due:
            run_id = await self._fire(row, at)
            if run_id is not None:
                started.append(run_id)
        return started

    def running(self, interval: float) -> contextlib.AbstractAsyncContextManager[None]:
        """Tick now (fires missed while no worker ran) and every `interval` seconds while the block runs."""
        return every(interval, self.tick, "schedule tick")

    async def _fire(self, row: ScheduleRow, now: datetime) -> UUID | None:
        assert row.next_fire_at is not None  # due_schedules selects only schedules with one
        due = row.next_fire_at
        try:
            plan = plan_fire(CronSchedule.parse(row.cron, row.timezone), due, now, self.grace)
        except InvalidSchedule as exc:  # e.g. a zone this host's time zone database lacks
            log.error("schedule cannot fire", task=row.task, reason=str(exc))
            return None
        if plan.action is Action.WAIT:
            return None
        claim = {"due": due, "next_fire_at": plan.next_fire_at, "fired_at": plan.fire_at, "now": now}
        try:
            # The claim and the run it starts commit together: a fire is never lost half-way.
            async with self.sessions.begin() as session:
                if not await claim_fire(session, row.task, **claim):
                    return None  # another process fired it, or an admin paused or edited it meanwhile
                if plan.action is Action.SKIP:
                    self._log_skip(row, plan)
                    return None
                queued = await self._queue(session, row, plan)
        except (HeadwaterError, ValidationError) as exc:  # e.g. its documents were deleted since
            log.error("scheduled run could not start", task=row.task, reason=str(exc))
            async with self.sessions.begin() as session:  # move on: do not retry it every tick
                await claim_fire(session, row.task, **claim)
            return None
        await self.runs.publish(queued)
        log.info(
            "schedule fired",
            task=row.task,
            run_id=str(queued.snapshot.id),
            next_fire_at=plan.next_fire_at and plan.next_fire_at.isoformat(),
        )
        return queued.snapshot.id

    def _log_skip(self, row: ScheduleRow, plan: FirePlan) -> None:
        log.warning(
            "schedule skipped fires missed for longer than the grace period",
            task=row.task,
            missed_since=row.next_fire_at and row.next_fire_at.isoformat(),
            grace_hours=self.grace / timedelta(hours=1),
            next_fire_at=plan.next_fire_at and plan.next_fire_at.isoformat(),
        )

    async def _queue(self, session: AsyncSession, row: ScheduleRow, plan: FirePlan) -> QueuedRun:
        assert plan.fire_at is not None and row.next_fire_at is not None
        if plan.fire_at != row.next_fire_at:
            log.info(
                "schedule coalesced missed fires into one run",
                task=row.task,
                fire_at=plan.fire_at.isoformat(),
                missed_since=row.next_fire_at.isoformat(),
            )
        request = StartRunRequest.model_validate(row.run_request)
        by = started_by(row)
        queued = await self.runs.queue(
            session, row.task, request.documents, by, model=request.model, dataset=request.dataset
        )
        await record_scheduled_run(session, row.task, queued.snapshot.id)
        return queued
