"""A document's extracted content: pages and tables, written in bulk and idempotently."""

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFoundError
from app.storage.tables import DocumentRow, PageRow, TableRow, table_of, utcnow
from app.storage.upsert import upsert
from schemas.documents import DocumentStatus
from schemas.extraction import ExtractionResult


async def store_extraction(session: AsyncSession, doc_id: str, result: ExtractionResult) -> None:
    """Replace the document's pages and tables with `result` and mark it stored.

    Rows are upserted, and pages and tables the result no longer has are deleted, so storing
    the same result twice, or a smaller re-extraction, leaves exactly the result's rows.
    Raises NotFoundError if the document was never registered.
    """
    # Update the document first: it proves the row exists and, on SQLite, takes the write lock
    # before the bulk writes rather than halfway through them.
    stored = await session.execute(
        update(DocumentRow)
        .where(DocumentRow.id == doc_id)
        .values(
            status=DocumentStatus.STORED,
            page_count=result.page_count,
            table_count=len(result.tables),
            metadata_=dict(result.metadata),
            error=None,
            updated_at=utcnow(),
        )
        .returning(DocumentRow.id)
    )
    if stored.scalar_one_or_none() is None:
        raise NotFoundError(f"document {doc_id} is not registered")
    await _replace_pages(session, doc_id, result)
    await _replace_tables(session, doc_id, result)


async def get_pages(session: AsyncSession, doc_id: str) -> list[PageRow]:
    """The document's pages in page order."""
    rows = await session.scalars(
        select(PageRow)
        .where(PageRow.doc_id == doc_id)
        .order_by(PageRow.number)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def get_tables(session: AsyncSession, doc_id: str) -> list[TableRow]:
    """The document's tables in document order."""
    rows = await session.scalars(
        select(TableRow)
        .where(TableRow.doc_id == doc_id)
        .order_by(TableRow.table_index)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def get_table(session: AsyncSession, doc_id: str, index: int) -> TableRow | None:
    """One table of the document by its 0-based index, or None."""
    return await session.get(TableRow, (doc_id, index), populate_existing=True)


async def _replace_pages(session: AsyncSession, doc_id: str, result: ExtractionResult) -> None:
    numbers = [page.number for page in result.pages]
    await session.execute(delete(PageRow).where(PageRow.doc_id == doc_id, PageRow.number.not_in(numbers)))
    if not result.pages:
        return
    stmt = upsert(
        session,
        table_of(PageRow),
        keys=["doc_id", "number"],
        copy=["text", "has_text_layer", "width", "height"],
    )
    # A list of parameter sets runs as one executemany: a 350-page document is one round trip
    # on asyncpg, not 350.
    await session.execute(
        stmt,
        [
            {
                "doc_id": doc_id,
                "number": page.number,
                "text": page.text,
                "has_text_layer": page.has_text_layer,
                "width": page.width,
                "height": page.height,
            }
            for page in result.pages
        ],
    )


async def _replace_tables(session: AsyncSession, doc_id: str, result: ExtractionResult) -> None:
    indexes = [table.index for table in result.tables]
    await session.execute(
        delete(TableRow).where(TableRow.doc_id == doc_id, TableRow.table_index.not_in(indexes))
    )
    if not result.tables:
        return
    stmt = upsert(
        session,
        table_of(TableRow),
        keys=["doc_id", "table_index"],
        copy=["page_number", "header", "rows"],
    )
    await session.execute(
        stmt,
        [
            {
                "doc_id": doc_id,
                "table_index": table.index,
                "page_number": table.page_number,
                "header": list(table.header),
                "rows": [list(row) for row in table.rows],
            }
            for table in result.tables
        ],
    )
