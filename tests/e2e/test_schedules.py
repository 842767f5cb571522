"""Schedules on the real broker: two worker processes, one due schedule, exactly one run, launched."""

import asyncio
import json
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kafka.readiness import GroupReadiness
from app.schedules.book import ScheduleBook
from app.storage.run_tables import RunRow
from app.storage.schedules import get_schedule
from headwater.runtime import open_core, stage_workers
from schemas.runs import RunStatus, TriggerKind
from schemas.schedules import ScheduleRequest
from tests.e2e.harness import isolated_settings

pytestmark = [pytest.mark.broker]


async def control_commands(bootstrap: str, topic: str) -> list[dict[str, object]]:
    """Every message on the control topic so far, read from the beginning."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        messages: list[dict[str, object]] = []
        async with asyncio.timeout(20):
            for partition, end in ends.items():
                while await consumer.position(partition) < end:
                    records = await consumer.getmany(partition, timeout_ms=500)
                    messages.extend(json.loads(r.value) for r in records.get(partition, []) if r.value)
        return messages
    finally:
        await consumer.stop()


async def runs_in(sessions: async_sessionmaker[AsyncSession]) -> list[RunRow]:
    """Every run in the database."""
    async with sessions() as session:
        return list(await session.scalars(select(RunRow)))


async def test_two_workers_fire_a_due_schedule_once_and_the_run_is_launched(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    settings = isolated_settings(
        kafka_bootstrap,
        tmp_path / "data",
        f"sqlite+aiosqlite:///{tmp_path / 'headwater.db'}",
        schedule_tick_seconds=0.2,
    )
    async with AsyncExitStack() as processes:
        cores = [await processes.enter_async_context(open_core(settings)) for _ in range(2)]
        for core in cores:  # two worker processes: each its own engine, control consumer and scheduler
            await processes.enter_async_context(stage_workers(core, kafka_bootstrap, [], GroupReadiness()))
        sessions = cores[0].sessions
        await ScheduleBook(sessions).put("clean-pdf", ScheduleRequest(cron="*/5 * * * *", timezone="UTC"))
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        async with sessions.begin() as session:
            schedule = await get_schedule(session, "clean-pdf")
            assert schedule is not None
            schedule.next_fire_at = due  # as if its fire time had just come

        async with asyncio.timeout(30):
            while not (runs := await runs_in(sessions)) or any(
                run.status is RunStatus.QUEUED for run in runs
            ):
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # five more ticks of each scheduler: nothing fires twice

        runs = await runs_in(sessions)
        async with sessions() as session:
            schedule = await get_schedule(session, "clean-pdf")
    assert len(runs) == 1
    run = runs[0]
    assert run.task == "clean-pdf" and run.status is not RunStatus.QUEUED and run.started_at is not None
    assert (run.started_by_kind, run.started_by_name) == (TriggerKind.SCHEDULE, "*/5 * * * * (UTC)")
    assert schedule is not None
    assert (schedule.last_run_id, schedule.last_fired_at) == (run.id, due)
    assert schedule.next_fire_at is not None and schedule.next_fire_at - due <= timedelta(minutes=5)
    commands = await control_commands(kafka_bootstrap, cores[0].topics.control)
    assert [command["run_id"] for command in commands if command.get("task") == "clean-pdf"] == [str(run.id)]
