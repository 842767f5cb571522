"""The schedule book: admins create, edit, pause, resume and delete task schedules; everyone reads them.

Edits lock the schedule's row first, so they never write back a next fire time that a scheduler
claimed meanwhile. Saving a schedule computes its next fire time from now: fires before the save are
not owed. An edit that keeps the cron expression, the zone and `enabled` keeps the next fire time too.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import ConflictError, NotFoundError
from app.runs.parameters import parameters_for
from app.runs.tasks import TaskDefinition, get_task
from app.schedules.cron import CronSchedule, InvalidSchedule
from app.storage.records import get_dataset
from app.storage.run_documents import unknown_ids
from app.storage.runs import get_run
from app.storage.schedules import (
    ScheduleRow,
    delete_schedule,
    get_schedule,
    list_schedules,
    lock_schedule,
    put_schedule,
)
from schemas.runs import StartRunRequest, TaskSchedule
from schemas.schedules import ScheduleRequest

UPCOMING = 5
"""How many fire times a schedule shows ahead."""


@dataclass(frozen=True, slots=True)
class ScheduleBook:
    """Reads and edits schedules in the database."""

    sessions: async_sessionmaker[AsyncSession]

    async def list_all(self) -> list[TaskSchedule]:
        """Every schedule, by task slug."""
        async with self.sessions() as session:
            rows = await list_schedules(session)
        return [schedule_read(row) for row in rows]

    async def put(self, slug: str, request: ScheduleRequest) -> TaskSchedule:
        """Create or replace the task's schedule; 404 unknown task, 409 live ingestion, 400 bad input."""
        task = schedulable(slug)
        cron = CronSchedule.parse(request.cron, request.timezone)
        run = request.run_request()
        parameters_for(task, documents=run.documents, model=run.model, dataset=run.dataset)
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            await _check_references(session, run)
            existing = await lock_schedule(session, slug)
            unchanged = (
                existing is not None
                and existing.enabled
                and request.enabled
                and (existing.cron, existing.timezone) == (cron.expression, cron.timezone)
            )
            next_fire_at = existing.next_fire_at if unchanged and existing else None
            if request.enabled and next_fire_at is None:
                next_fire_at = cron.next_after(now)
            row = await put_schedule(
                session,
                task=slug,
                cron=cron.expression,
                timezone=cron.timezone,
                enabled=request.enabled,
                run_request=run.model_dump(mode="json"),
                next_fire_at=next_fire_at,
                now=now,
            )
            return schedule_read(row)

    async def set_enabled(self, slug: str, enabled: bool) -> TaskSchedule:
        """Pause (no fire until resumed) or resume (next fire after now: none owed for the pause)."""
        now = datetime.now(UTC)
        async with self.sessions.begin() as session:
            row = await lock_schedule(session, slug)
            if row is None:
                raise NotFoundError(f"task {slug!r} has no schedule")
            if row.enabled != enabled:
                row.enabled, row.updated_at = enabled, now
                row.next_fire_at = (
                    CronSchedule.parse(row.cron, row.timezone).next_after(now) if enabled else None
                )
                await session.flush()
            return schedule_read(row)

    async def delete(self, slug: str) -> None:
        """Remove the task's schedule; 404 if it has none."""
        async with self.sessions.begin() as session:
            if not await delete_schedule(session, slug):
                raise NotFoundError(f"task {slug!r} has no schedule")


async def schedule_of(session: AsyncSession, slug: str) -> TaskSchedule | None:
    """The task's schedule as the API shows it, or None."""
    row = await get_schedule(session, slug)
    return None if row is None else schedule_read(row)


def schedulable(slug: str) -> TaskDefinition:
    """The task, if a schedule may start it: NotFoundError, or ConflictError for live ingestion."""
    task = get_task(slug)
    if not task.startable:
        raise ConflictError(f"{task.name} runs by itself and cannot be scheduled")
    return task


def schedule_read(row: ScheduleRow) -> TaskSchedule:
    """A schedule row as the API shows it: its next fire times and the expression in words."""
    upcoming: list[datetime] = []
    try:
        cron = CronSchedule.parse(row.cron, row.timezone)
        description = cron.description
        if row.enabled and row.next_fire_at is not None:
            upcoming = [row.next_fire_at, *cron.upcoming(row.next_fire_at, UPCOMING - 1)]
    except InvalidSchedule as exc:  # e.g. a zone this host's time zone database no longer has
        description = f"Never fires here: {exc}"
    return TaskSchedule(
        **StartRunRequest.model_validate(row.run_request).model_dump(),
        task=row.task,
        cron=row.cron,
        timezone=row.timezone,
        description=description,
        enabled=row.enabled,
        next_run_at=row.next_fire_at if row.enabled else None,
        upcoming=upcoming,
        last_fired_at=row.last_fired_at,
        last_run_id=row.last_run_id,
        updated_at=row.updated_at,
    )


async def _check_references(session: AsyncSession, run: StartRunRequest) -> None:
    """The documents, run or dataset the schedule names exist (as they must when a run starts)."""
    if isinstance(run.documents, list):
        missing = await unknown_ids(session, run.documents)
        if missing:
            raise NotFoundError(f"no document with id {', '.join(missing[:3])}")
    elif run.documents.startswith("run:") and await get_run(session, UUID(run.documents[4:])) is None:
        raise NotFoundError(f"no run with id {run.documents[4:]}")
    if run.dataset is not None and await get_dataset(session, run.dataset) is None:
        raise NotFoundError(f"no dataset named {run.dataset!r}")
