"""Hostile input: strings that look like SQL, odd unicode and very long text round-trip unchanged."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.content import get_pages, store_extraction
from app.storage.documents import get_document, list_documents, mark_document_failed, register_document
from schemas.extraction import ExtractionResult, PageText
from tests.storage.samples import doc_id

HOSTILE = [
    "'; DROP TABLE documents; --",
    'Robert"); DELETE FROM pages WHERE ("1"="1',
    "%_\\ LIKE wildcards and a backslash \\",
    "emoji 📄🧾, accents éàü, CJK 文書, RTL مستند, combining e\u0301",
    "line\nbreaks\tand\rcontrol \x01\x7f characters",
]


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
async def test_hostile_strings_round_trip_unchanged(session: AsyncSession, hostile: str) -> None:
    row, _ = await register_document(
        session,
        doc_id=doc_id(hostile),
        filename=hostile[:255],
        source=hostile[:100],
        size_bytes=1,
        run_id=None,
    )
    long_text = (hostile + " ") * 20_000  # a few hundred KiB on one page
    result = ExtractionResult(
        page_count=1,
        metadata={hostile: hostile},
        pages=[PageText(number=1, text=long_text, has_text_layer=True, width=1.0, height=1.0)],
        tables=[],
    )
    await store_extraction(session, row.id, result)
    await mark_document_failed(session, row.id, hostile)  # a no-op: stored wins
    await session.commit()
    session.expunge_all()

    stored = await get_document(session, row.id)
    assert stored is not None
    assert (stored.filename, stored.source) == (hostile[:255], hostile[:100])
    assert stored.metadata_ == {hostile: hostile}
    assert [page.text for page in await get_pages(session, row.id)] == [long_text]
    _, total = await list_documents(session, limit=1, offset=0)
    assert total == 1  # and the documents table is still there
