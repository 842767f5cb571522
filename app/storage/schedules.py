"""Task schedules: one row per scheduled task (keyed by its slug), and the claim that fires it once.

Migration 0003_schedules creates exactly this table. Firing is a compare-and-set on `next_fire_at`:
every scheduler that finds a schedule due tries the same conditional UPDATE, and the database lets
exactly one of them change the row (PostgreSQL re-checks the condition after the row lock is
released; SQLite runs one writer at a time). The winner creates the run in the same transaction.
"""

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base, UtcDateTime, table_of, utcnow
from app.storage.upsert import upsert


class ScheduleRow(Base):
    """When a task runs by itself, over which documents, and when it last did."""

    __tablename__ = "schedules"
    __table_args__ = (sa.Index("ix_schedules_next_fire_at", "next_fire_at"),)

    task: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    cron: Mapped[str] = mapped_column(sa.String(120))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    enabled: Mapped[bool] = mapped_column(sa.Boolean)
    run_request: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    """What each run covers: a `StartRunRequest` (documents, or the task's parameters), as JSON."""
    next_fire_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """The next fire time; None while paused. The claim compares and sets it."""
    last_fired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    """The fire time the last scheduled run stands for."""
    last_run_id: Mapped[UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("runs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


async def get_schedule(session: AsyncSession, task: str) -> ScheduleRow | None:
    """The task's schedule, freshly read, or None."""
    return await session.get(ScheduleRow, task, populate_existing=True)


async def lock_schedule(session: AsyncSession, task: str) -> ScheduleRow | None:
    """Lock the task's schedule for the rest of the transaction (a no-op UPDATE) and read it.

    An edit that reads the schedule first must hold this lock, or it could write back a next fire
    time that a scheduler claimed in between (and fire it twice).
    """
    locked = await session.execute(
        update(ScheduleRow)
        .where(ScheduleRow.task == task)
        .values(cron=ScheduleRow.cron)
        .returning(ScheduleRow.task)
    )
    if locked.scalar_one_or_none() is None:
        return None
    return await get_schedule(session, task)


async def list_schedules(session: AsyncSession) -> list[ScheduleRow]:
    """Every schedule, by task slug."""
    rows = await session.scalars(
        select(ScheduleRow).order_by(ScheduleRow.task).execution_options(populate_existing=True)
    )
    return list(rows)


async def due_schedules(session: AsyncSession, now: datetime) -> list[ScheduleRow]:
    """Enabled schedules whose next fire time has come, soonest first."""
    rows = await session.scalars(
        select(ScheduleRow)
        .where(ScheduleRow.enabled.is_(True), ScheduleRow.next_fire_at <= now)
        .order_by(ScheduleRow.next_fire_at, ScheduleRow.task)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def put_schedule(
    session: AsyncSession,
    *,
    task: str,
    cron: str,
    timezone: str,
    enabled: bool,
    run_request: dict[str, Any],
    next_fire_at: datetime | None,
    now: datetime,
) -> ScheduleRow:
    """Create the task's schedule or replace what an admin edits (one statement: two admins saving a
    new schedule at once both succeed, the later wins); its fire history stays."""
    schedules = table_of(ScheduleRow)
    edited = {"cron": cron, "timezone": timezone, "enabled": enabled, "run_request": run_request}
    edited |= {"next_fire_at": next_fire_at, "updated_at": now}
    await session.execute(
        upsert(session, schedules, keys=["task"], copy=edited.keys()).values(
            task=task, **edited, last_fired_at=None, last_run_id=None, created_at=now
        )
    )
    row = await get_schedule(session, task)
    assert row is not None
    return row


async def delete_schedule(session: AsyncSession, task: str) -> bool:
    """Remove the task's schedule; False if it had none."""
    deleted = await session.execute(
        delete(ScheduleRow).where(ScheduleRow.task == task).returning(ScheduleRow.task)
    )
    return deleted.scalar_one_or_none() is not None


async def claim_fire(
    session: AsyncSession,
    task: str,
    *,
    due: datetime,
    next_fire_at: datetime | None,
    fired_at: datetime | None,
    now: datetime,
) -> bool:
    """Move the schedule's next fire from `due` to `next_fire_at`; True for exactly one claimer.

    `fired_at` is the fire time a run will stand for (None when the fire is skipped: the last run
    stays what it was). Fails if another process moved the fire, or an admin paused or edited it.
    """
    values: dict[str, object] = {"next_fire_at": next_fire_at, "updated_at": now}
    if fired_at is not None:
        values["last_fired_at"] = fired_at
    claimed = await session.execute(
        update(ScheduleRow)
        .where(ScheduleRow.task == task, ScheduleRow.enabled.is_(True), ScheduleRow.next_fire_at == due)
        .values(**values)
        .returning(ScheduleRow.task)
    )
    return claimed.scalar_one_or_none() is not None


async def record_scheduled_run(session: AsyncSession, task: str, run_id: UUID) -> None:
    """Remember the run the schedule's last fire started."""
    await session.execute(update(ScheduleRow).where(ScheduleRow.task == task).values(last_run_id=run_id))
