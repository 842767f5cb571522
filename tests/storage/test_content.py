"""Pages and tables: stored in bulk, idempotently, with nothing stale left behind."""

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFoundError
from app.storage.content import get_pages, get_table, get_tables, store_extraction
from app.storage.documents import get_document
from app.storage.stages import list_stages, mark_stage_started
from app.storage.tables import DocumentRow, DocumentStageRow, PageRow, TableRow
from schemas.documents import DocumentStatus
from tests.storage.samples import all_values, doc_id, extraction, registered, values


async def count(session: AsyncSession, row_class: type[PageRow] | type[TableRow]) -> int:
    """How many rows the table holds, for every document."""
    return (await session.scalar(select(func.count()).select_from(row_class))) or 0


async def test_storing_an_extraction_writes_pages_tables_and_metadata(session: AsyncSession) -> None:
    row = await registered(session, "report")
    result = extraction(pages=3, tables=2)

    await store_extraction(session, row.id, result)
    await session.commit()

    stored = await get_document(session, row.id)
    assert stored is not None
    assert (stored.status, stored.page_count, stored.table_count, stored.error) == (
        DocumentStatus.STORED,
        3,
        2,
        None,
    )
    assert stored.metadata_ == {"Title": "Quarterly report", "Author": "Ops"}
    pages = await get_pages(session, row.id)
    assert [(p.number, p.text, p.has_text_layer, p.width, p.height) for p in pages] == [
        (1, "page 1", True, 595.5, 842.25),
        (2, "page 2", False, 595.5, 842.25),
        (3, "page 3", True, 595.5, 842.25),
    ]
    tables = await get_tables(session, row.id)
    assert [(t.table_index, t.page_number, t.header) for t in tables] == [
        (0, 1, ["name", "amount"]),
        (1, 2, ["name", "amount"]),
    ]
    assert tables[1].rows == [
        ["row 0 of table 1", "0"],
        ["row 1 of table 1", "10"],
        ["row 2 of table 1", "20"],
    ]


async def test_storing_the_same_extraction_twice_leaves_identical_rows(
    session: AsyncSession,
) -> None:
    row = await registered(session, "redelivered")
    result = extraction(pages=4, tables=3)
    await store_extraction(session, row.id, result)
    await session.commit()
    pages, tables = (
        all_values(await get_pages(session, row.id)),
        all_values(await get_tables(session, row.id)),
    )

    await store_extraction(session, row.id, result)  # the store message is delivered again
    await session.commit()

    assert all_values(await get_pages(session, row.id)) == pages
    assert all_values(await get_tables(session, row.id)) == tables
    assert (await count(session, PageRow), await count(session, TableRow)) == (4, 3)


async def test_a_smaller_re_extraction_removes_stale_pages_and_tables(session: AsyncSession) -> None:
    row = await registered(session, "shrinking")
    await store_extraction(session, row.id, extraction(pages=5, tables=4))

    await store_extraction(session, row.id, extraction(pages=2, tables=1, text="v2 of page {n}"))

    assert [(p.number, p.text) for p in await get_pages(session, row.id)] == [
        (1, "v2 of page 1"),
        (2, "v2 of page 2"),
    ]
    assert [t.table_index for t in await get_tables(session, row.id)] == [0]
    assert await get_table(session, row.id, 3) is None
    stored = await get_document(session, row.id)
    assert stored is not None
    assert (stored.page_count, stored.table_count) == (2, 1)


async def test_a_re_extraction_without_tables_removes_them_all(session: AsyncSession) -> None:
    row = await registered(session, "no tables now")
    await store_extraction(session, row.id, extraction(pages=1, tables=2))

    await store_extraction(session, row.id, extraction(pages=1, tables=0))

    assert await get_tables(session, row.id) == []


async def test_storing_one_document_leaves_other_documents_alone(session: AsyncSession) -> None:
    first = await registered(session, "first")
    second = await registered(session, "second")
    await store_extraction(session, first.id, extraction(pages=2, tables=2))
    await store_extraction(session, second.id, extraction(pages=3, tables=1))

    await store_extraction(session, first.id, extraction(pages=1, tables=0))

    assert len(await get_pages(session, second.id)) == 3
    assert len(await get_tables(session, second.id)) == 1


async def test_a_350_page_document_is_stored_in_bulk(session: AsyncSession) -> None:
    row = await registered(session, "thick")
    result = extraction(pages=350, tables=40, text="page {n} " + "lorem ipsum " * 200)

    await store_extraction(session, row.id, result)
    await store_extraction(session, row.id, result)
    await session.commit()

    pages = await get_pages(session, row.id)
    assert [p.number for p in pages] == list(range(1, 351))
    assert pages[349].text.startswith("page 350 lorem ipsum")
    assert len(await get_tables(session, row.id)) == 40


async def test_get_table_finds_one_table_by_index(session: AsyncSession) -> None:
    row = await registered(session, "lookup")
    await store_extraction(session, row.id, extraction(pages=2, tables=3))

    table = await get_table(session, row.id, 2)

    assert table is not None
    assert (table.doc_id, table.table_index, table.page_number) == (row.id, 2, 1)
    assert await get_table(session, row.id, 3) is None
    assert await get_table(session, doc_id("elsewhere"), 0) is None


async def test_storing_for_an_unregistered_document_is_refused(session: AsyncSession) -> None:
    with pytest.raises(NotFoundError, match="is not registered"):
        await store_extraction(session, doc_id("ghost"), extraction(pages=1, tables=1))
    assert await count(session, PageRow) == 0


async def test_deleting_a_document_deletes_its_pages_tables_and_stages(
    session: AsyncSession,
) -> None:
    row = await registered(session, "deleted")
    keep = await registered(session, "kept")
    for doc in (row, keep):
        await mark_stage_started(session, doc.id, "store", "host:1")
        await store_extraction(session, doc.id, extraction(pages=2, tables=2))
    await session.commit()

    await session.execute(delete(DocumentRow).where(DocumentRow.id == row.id))
    await session.commit()

    assert await get_pages(session, row.id) == []
    assert await get_tables(session, row.id) == []
    assert await list_stages(session, row.id) == []
    assert values((await list_stages(session, keep.id))[0])["doc_id"] == keep.id
    remaining = await session.scalar(select(func.count()).select_from(DocumentStageRow))
    assert (remaining, await count(session, PageRow), await count(session, TableRow)) == (1, 2, 2)
