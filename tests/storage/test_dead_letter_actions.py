"""Dead letters an operator acted on: retried or discarded once, kept, and reopened by a new failure."""

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.dead_letters import (
    get_dead_letter,
    list_dead_letters,
    record_dead_letter,
    reopen_dead_letter,
    resolve_dead_letter,
    set_retry_run,
)
from schemas.dead_letters import DeadLetterStatus
from tests.storage.test_dead_letters import START, letter

LATER = datetime(2024, 5, 2, 9, 0, tzinfo=UTC)


async def test_a_new_dead_letter_is_open(session: AsyncSession) -> None:
    await record_dead_letter(session, letter(0))

    row = await get_dead_letter(session, uuid.UUID(int=1))

    assert row is not None
    assert (row.status, row.resolved_at, row.resolved_by, row.retry_run_id) == (
        DeadLetterStatus.OPEN,
        None,
        None,
        None,
    )


async def test_resolving_an_open_letter_records_who_and_when_once(session: AsyncSession) -> None:
    await record_dead_letter(session, letter(0))

    row = await resolve_dead_letter(
        session, uuid.UUID(int=1), DeadLetterStatus.DISCARDED, by="ops", now=LATER
    )
    again = await resolve_dead_letter(
        session, uuid.UUID(int=1), DeadLetterStatus.RETRIED, by="bob", now=LATER
    )

    assert row is not None
    assert (row.status, row.resolved_by, row.resolved_at) == (DeadLetterStatus.DISCARDED, "ops", LATER)
    assert again is None
    assert (
        await resolve_dead_letter(session, uuid.UUID(int=99), DeadLetterStatus.RETRIED, by="x", now=LATER)
        is None
    )


async def test_a_retried_letter_that_fails_again_is_reopened_with_the_new_reason(
    session: AsyncSession,
) -> None:
    await record_dead_letter(session, letter(0))
    await resolve_dead_letter(session, uuid.UUID(int=1), DeadLetterStatus.RETRIED, by="ops", now=LATER)
    await set_retry_run(session, uuid.UUID(int=1), uuid.UUID(int=7))
    await session.commit()

    assert await record_dead_letter(session, letter(0, reason="still not a PDF", occurred_at=LATER)) is True
    await session.commit()

    row = await get_dead_letter(session, uuid.UUID(int=1))
    assert row is not None
    assert (row.status, row.reason, row.occurred_at) == (DeadLetterStatus.OPEN, "still not a PDF", LATER)
    assert (row.resolved_by, row.resolved_at, row.retry_run_id) == (None, None, None)


async def test_a_discarded_letter_stays_discarded_on_redelivery(session: AsyncSession) -> None:
    await record_dead_letter(session, letter(0))
    await resolve_dead_letter(session, uuid.UUID(int=1), DeadLetterStatus.DISCARDED, by="ops", now=LATER)
    await session.commit()

    assert await record_dead_letter(session, letter(0, reason="redelivered")) is False

    row = await get_dead_letter(session, uuid.UUID(int=1))
    assert row is not None
    assert (row.status, row.reason, row.occurred_at) == (
        DeadLetterStatus.DISCARDED,
        "input 0 is not a PDF",
        START,
    )


async def test_reopening_undoes_a_retry(session: AsyncSession) -> None:
    await record_dead_letter(session, letter(0))
    await resolve_dead_letter(session, uuid.UUID(int=1), DeadLetterStatus.RETRIED, by="ops", now=LATER)

    await reopen_dead_letter(session, uuid.UUID(int=1))

    row = await get_dead_letter(session, uuid.UUID(int=1))
    assert row is not None
    assert (row.status, row.resolved_by) == (DeadLetterStatus.OPEN, None)


async def test_letters_are_filtered_by_status(session: AsyncSession) -> None:
    for n in range(3):
        await record_dead_letter(session, letter(n))
    await resolve_dead_letter(session, uuid.UUID(int=2), DeadLetterStatus.DISCARDED, by="ops", now=LATER)

    open_rows, open_total = await list_dead_letters(session, limit=10, status=DeadLetterStatus.OPEN)
    discarded, discarded_total = await list_dead_letters(session, limit=10, status=DeadLetterStatus.DISCARDED)

    assert (open_total, discarded_total) == (2, 1)
    assert [row.id for row in open_rows] == [uuid.UUID(int=3), uuid.UUID(int=1)]
    assert [row.id for row in discarded] == [uuid.UUID(int=2)]
