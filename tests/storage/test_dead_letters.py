"""Dead letters: kept once per id, listed newest first, filterable by stage."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.dead_letters import list_dead_letters, record_dead_letter
from schemas.dead_letters import DeadLettered, DeadLetterReason
from tests.storage.samples import all_values, doc_id

START = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def letter(n: int, *, stage: str = "clean", **overrides: object) -> DeadLettered:
    """The n-th dead letter, an hour after the previous one."""
    fields: dict[str, object] = {
        "id": uuid.UUID(int=n + 1),
        "stage": stage,
        "topic": "ingest.documents",
        "reason_code": DeadLetterReason.NOT_PDF,
        "reason": f"input {n} is not a PDF",
        "doc_id": doc_id(f"letter {n}"),
        "run_id": uuid.UUID(int=1000),
        "payload_preview": '{"filename": "x.docx"}',
        "occurred_at": START + timedelta(hours=n),
    }
    return DeadLettered.model_validate(fields | overrides)


async def test_a_dead_letter_is_kept_with_every_field(session: AsyncSession) -> None:
    assert await record_dead_letter(session, letter(0)) is True

    rows, total = await list_dead_letters(session, limit=10)

    assert total == 1
    kept = rows[0]
    assert (kept.id, kept.stage, kept.topic) == (uuid.UUID(int=1), "clean", "ingest.documents")
    assert (kept.reason_code, kept.reason) == ("not_pdf", "input 0 is not a PDF")
    assert (kept.doc_id, kept.run_id) == (doc_id("letter 0"), uuid.UUID(int=1000))
    assert kept.payload_preview == '{"filename": "x.docx"}'
    assert kept.occurred_at == START


async def test_recording_the_same_dead_letter_twice_keeps_one(session: AsyncSession) -> None:
    await record_dead_letter(session, letter(0))
    await session.commit()
    before = all_values((await list_dead_letters(session, limit=10))[0])

    assert await record_dead_letter(session, letter(0, reason="redelivered")) is False
    await session.commit()

    rows, total = await list_dead_letters(session, limit=10)
    assert total == 1
    assert all_values(rows) == before


async def test_a_dead_letter_needs_no_registered_document(session: AsyncSession) -> None:
    assert await record_dead_letter(session, letter(0, doc_id=None, run_id=None)) is True
    assert await record_dead_letter(session, letter(1, doc_id=doc_id("never seen"))) is True
    await session.commit()

    _, total = await list_dead_letters(session, limit=10)
    assert total == 2


async def test_list_dead_letters_filters_by_stage_and_paginates_newest_first(
    session: AsyncSession,
) -> None:
    for n in range(5):
        await record_dead_letter(session, letter(n, stage="extract" if n % 2 else "clean"))

    newest, total = await list_dead_letters(session, limit=2)
    assert total == 5
    assert [row.reason for row in newest] == ["input 4 is not a PDF", "input 3 is not a PDF"]

    extract, extract_total = await list_dead_letters(session, limit=10, offset=1, stage="extract")
    assert extract_total == 2
    assert [row.reason for row in extract] == ["input 1 is not a PDF"]


async def test_a_naive_occurrence_time_is_taken_as_utc(session: AsyncSession) -> None:
    naive = datetime(2024, 5, 1, 9, 0)
    await record_dead_letter(session, letter(0, occurred_at=naive))

    rows, _ = await list_dead_letters(session, limit=1)

    assert rows[0].occurred_at == START
