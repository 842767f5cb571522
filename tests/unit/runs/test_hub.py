"""The progress hub coalesces bursts per run, never delivers an older state, and always delivers the last."""

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from schemas.runs import RunCounts, RunSnapshot, RunStatus, StartedBy, TriggerKind
from web.progress.hub import ProgressHub, throttle_delay

RUN = uuid.uuid4()
NOW = datetime(2024, 11, 25, 12, 0, tzinfo=UTC)


def snapshot(
    revision: int, done: int, *, run_id: uuid.UUID = RUN, status: RunStatus = RunStatus.RUNNING
) -> RunSnapshot:
    """A run of 10 documents with `done` of them done."""
    return RunSnapshot(
        id=run_id,
        task="full-pipeline",
        task_name="Full Pipeline",
        phrase="Executing PDF extraction pipeline",
        summary="...",
        status=status,
        success=None,
        counts=RunCounts(total=10, done=done, failed=0, skipped=0),
        rate_per_minute=None,
        eta_seconds=None,
        live=False,
        source=None,
        day=None,
        started_by=StartedBy(kind=TriggerKind.USER, name="ada"),
        retry_of=None,
        message=None,
        revision=revision,
        created_at=NOW,
        started_at=NOW,
        finished_at=None,
        updated_at=NOW,
    )


async def received(batches: Any, timeout: float = 1.0) -> list[RunSnapshot]:
    """Every snapshot a subscription delivers until it stays quiet for `timeout` seconds."""
    seen: list[RunSnapshot] = []
    while True:
        try:
            seen += await asyncio.wait_for(batches.next_batch(), timeout)
        except TimeoutError:
            return seen


def test_the_first_message_of_a_run_goes_out_at_once_and_the_next_waits_for_the_interval() -> None:
    assert throttle_delay(None, now=100.0, min_interval=0.25) == 0.0
    assert throttle_delay(100.0, now=100.1, min_interval=0.25) == pytest.approx(0.15)
    assert throttle_delay(100.0, now=100.3, min_interval=0.25) == 0.0


async def test_a_burst_of_updates_reaches_a_client_as_a_few_messages_ending_with_the_latest() -> None:
    hub = ProgressHub(min_interval=0.2)
    with hub.subscribe() as subscription:
        for done in range(1, 10):
            hub.publish(snapshot(revision=done, done=done))
            await asyncio.sleep(0.01)

        messages = await received(subscription, timeout=0.5)

    assert 2 <= len(messages) <= 3
    assert messages[0].counts.done == 1
    assert messages[-1].counts.done == 9


async def test_the_final_state_is_delivered_at_once_even_inside_the_interval() -> None:
    hub = ProgressHub(min_interval=10)
    with hub.subscribe(RUN) as subscription:
        hub.publish(snapshot(revision=1, done=1))
        hub.publish(snapshot(revision=2, done=10, status=RunStatus.COMPLETED))

        messages = await received(subscription, timeout=0.2)

    assert [m.counts.done for m in messages] == [10]  # the first was replaced before it was read


async def test_an_older_or_repeated_state_is_never_delivered() -> None:
    hub = ProgressHub(min_interval=0)
    with hub.subscribe() as subscription:
        hub.publish(snapshot(revision=5, done=5))
        first = await received(subscription, timeout=0.1)
        hub.publish(snapshot(revision=4, done=4))
        hub.publish(snapshot(revision=5, done=5))
        later = await received(subscription, timeout=0.1)

    assert [m.revision for m in first] == [5]
    assert later == []


async def test_a_client_following_one_run_sees_only_that_run_and_nothing_it_already_has() -> None:
    hub = ProgressHub(min_interval=0)
    other = uuid.uuid4()
    with hub.subscribe(RUN) as subscription:
        subscription.mark_sent(snapshot(revision=3, done=3))  # the state it read on connect
        hub.publish(snapshot(revision=1, done=9, run_id=other))
        hub.publish(snapshot(revision=2, done=2))
        hub.publish(snapshot(revision=4, done=4))

        messages = await received(subscription, timeout=0.1)

    assert [(m.id, m.revision) for m in messages] == [(RUN, 4)]


async def test_a_client_that_left_is_no_longer_served() -> None:
    hub = ProgressHub(min_interval=0)
    with hub.subscribe() as subscription:
        pass

    hub.publish(snapshot(revision=1, done=1))

    assert await received(subscription, timeout=0.05) == []
