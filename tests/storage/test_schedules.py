"""Schedules in the database: a due fire starts exactly one run however many schedulers race for it."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.schedules.book import ScheduleBook
from app.storage.engine import create_engine, create_sessionmaker
from app.storage.run_tables import RunRow
from app.storage.schedules import claim_fire, get_schedule
from producers.runs import RunCommands
from producers.scheduler import Scheduler
from schemas.control import StartRun
from schemas.runs import RunStatus, TriggerKind
from schemas.schedules import ScheduleRequest
from schemas.topics import Topics

TOPICS = Topics("schedtest")
GRACE = timedelta(hours=24)
DAY = timedelta(days=1)


@dataclass
class Control:
    """A test broker recording every command published on the control topic."""

    broker: KafkaBroker
    commands: list[dict[str, Any]]


@pytest.fixture
async def control() -> AsyncIterator[Control]:
    """An in-memory Kafka broker with a subscriber on the control topic."""
    broker = KafkaBroker()
    commands: list[dict[str, Any]] = []

    @broker.subscriber(TOPICS.control)
    async def on_command(body: dict[str, Any]) -> None:
        """Record the command."""
        commands.append(body)

    async with TestKafkaBroker(broker) as test_broker:
        yield Control(test_broker, commands)


@pytest.fixture
async def second_engine(database_url: str, engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """Another engine on the same migrated database, as a second worker process would have."""
    other = create_engine(database_url)
    try:
        yield other
    finally:
        await other.dispose()


def scheduler(engine: AsyncEngine, control: Control) -> Scheduler:
    """A scheduler on its own engine, starting runs through RunCommands on the test broker."""
    sessions = create_sessionmaker(engine)
    return Scheduler(sessions, RunCommands(sessions=sessions, broker=control.broker, topics=TOPICS), GRACE)


async def a_schedule(
    sessions: async_sessionmaker[AsyncSession], next_fire_at: datetime, cron: str = "0 4 * * *"
) -> None:
    """A Full Pipeline schedule over failed documents whose next fire time is `next_fire_at`."""
    await ScheduleBook(sessions).put(
        "full-pipeline", ScheduleRequest(cron=cron, timezone="America/Toronto", documents="failed")
    )
    async with sessions.begin() as session:
        row = await get_schedule(session, "full-pipeline")
        assert row is not None
        row.next_fire_at = next_fire_at


async def runs_of(sessions: async_sessionmaker[AsyncSession]) -> list[RunRow]:
    """Every run in the database."""
    async with sessions() as session:
        return list(await session.scalars(select(RunRow)))


async def test_two_schedulers_ticking_around_a_due_time_start_exactly_one_run(
    engine: AsyncEngine, second_engine: AsyncEngine, control: Control
) -> None:
    sessions = create_sessionmaker(engine)
    due = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)  # 04:00 in Toronto
    await a_schedule(sessions, due)
    first, second = scheduler(engine, control), scheduler(second_engine, control)

    started = []
    for step in range(-4, 20):  # from 2 s before the fire to 10 s after, every half second
        now = due + timedelta(milliseconds=500 * step)
        for runs in await asyncio.gather(*(each.tick(now) for each in (first, second, first, second))):
            started.extend(runs)

    runs = await runs_of(sessions)
    assert [run.id for run in runs] == started and len(runs) == 1
    run = runs[0]
    assert (run.task, run.status, run.selection) == ("full-pipeline", RunStatus.QUEUED, {"kind": "failed"})
    assert (run.started_by_kind, run.started_by_name) == (TriggerKind.SCHEDULE, "0 4 * * * (America/Toronto)")
    assert [StartRun.model_validate(body).run_id for body in control.commands] == [run.id]
    async with sessions() as session:
        schedule = await get_schedule(session, "full-pipeline")
    assert schedule is not None
    assert (schedule.last_fired_at, schedule.last_run_id, schedule.next_fire_at) == (due, run.id, due + DAY)


async def test_only_one_of_many_concurrent_claims_of_the_same_fire_wins(
    engine: AsyncEngine, second_engine: AsyncEngine
) -> None:
    due = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    await a_schedule(create_sessionmaker(engine), due)

    async def claim(engine: AsyncEngine) -> bool:
        async with create_sessionmaker(engine).begin() as session:
            return await claim_fire(
                session, "full-pipeline", due=due, next_fire_at=due + DAY, fired_at=due, now=due
            )

    outcomes = await asyncio.gather(*(claim(each) for each in [engine, second_engine] * 4))

    assert sorted(outcomes) == [False] * 7 + [True]


async def test_fires_missed_while_no_worker_ran_start_one_run_for_the_latest(
    engine: AsyncEngine, control: Control
) -> None:
    sessions = create_sessionmaker(engine)
    first_missed = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    await a_schedule(sessions, first_missed)
    back_at = first_missed + 3 * DAY + timedelta(hours=1)

    started = await scheduler(engine, control).tick(back_at)
    again = await scheduler(engine, control).tick(back_at + timedelta(seconds=5))

    assert len(started) == 1 and again == []
    async with sessions() as session:
        schedule = await get_schedule(session, "full-pipeline")
    assert schedule is not None
    assert (schedule.last_fired_at, schedule.next_fire_at) == (first_missed + 3 * DAY, first_missed + 4 * DAY)


async def test_a_fire_missed_for_longer_than_the_grace_period_is_skipped(
    engine: AsyncEngine, control: Control
) -> None:
    sessions = create_sessionmaker(engine)
    tuesday = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    await a_schedule(sessions, tuesday, cron="0 4 * * TUE")

    started = await scheduler(engine, control).tick(tuesday + 2 * DAY)

    assert started == [] and await runs_of(sessions) == [] and control.commands == []
    async with sessions() as session:
        schedule = await get_schedule(session, "full-pipeline")
    assert schedule is not None
    assert (schedule.last_fired_at, schedule.next_fire_at) == (None, tuesday + 7 * DAY)


async def test_a_paused_schedule_does_not_fire_and_resumes_from_the_next_fire_after_now(
    engine: AsyncEngine, control: Control
) -> None:
    sessions = create_sessionmaker(engine)
    book = ScheduleBook(sessions)
    await a_schedule(sessions, datetime.now(UTC) - timedelta(minutes=5))

    paused = await book.set_enabled("full-pipeline", False)
    fired_while_paused = await scheduler(engine, control).tick()
    resumed = await book.set_enabled("full-pipeline", True)

    assert (paused.enabled, paused.next_run_at, paused.upcoming) == (False, None, [])
    assert fired_while_paused == []
    assert resumed.enabled and resumed.next_run_at is not None and resumed.next_run_at > datetime.now(UTC)
    assert await scheduler(engine, control).tick() == []


async def test_an_edit_moves_the_next_fire_so_a_scheduler_that_read_the_old_one_cannot_claim_it(
    engine: AsyncEngine,
) -> None:
    sessions = create_sessionmaker(engine)
    book = ScheduleBook(sessions)
    await a_schedule(sessions, datetime(2025, 6, 10, 8, 0, tzinfo=UTC))
    async with sessions() as session:
        before = await get_schedule(session, "full-pipeline")
    assert before is not None and before.next_fire_at is not None

    kept = await book.put("full-pipeline", ScheduleRequest(cron="0 4 * * *", timezone="America/Toronto"))
    moved = await book.put("full-pipeline", ScheduleRequest(cron="30 2 * * *", timezone="America/Toronto"))
    async with sessions.begin() as session:
        stale_claim = await claim_fire(
            session,
            "full-pipeline",
            due=before.next_fire_at,
            next_fire_at=before.next_fire_at + DAY,
            fired_at=before.next_fire_at,
            now=datetime.now(UTC),
        )

    assert kept.next_run_at == before.next_fire_at  # same cron and zone: the due fire is still owed
    assert moved.next_run_at is not None and moved.next_run_at > datetime.now(UTC)
    assert stale_claim is False


async def test_a_scheduled_run_that_cannot_start_spends_its_fire_instead_of_retrying_forever(
    engine: AsyncEngine, control: Control
) -> None:
    sessions = create_sessionmaker(engine)
    due = datetime(2025, 6, 10, 8, 0, tzinfo=UTC)
    await a_schedule(sessions, due)
    async with sessions.begin() as session:  # as if the run it replays had been deleted since
        row = await get_schedule(session, "full-pipeline")
        assert row is not None
        row.run_request = {"documents": "run:3f1c2a9e-0000-4000-8000-000000000000"}

    first = await scheduler(engine, control).tick(due + timedelta(seconds=1))
    second = await scheduler(engine, control).tick(due + timedelta(seconds=6))

    assert first == second == [] and await runs_of(sessions) == []
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(RunRow)) == 0
        schedule = await get_schedule(session, "full-pipeline")
    assert schedule is not None and schedule.next_fire_at == due + DAY
