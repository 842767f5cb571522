"""Documents: register, advance through the pipeline (never backwards), fail, list.

Status order is received < cleaned < extracted < stored. A successful stage moves a document
forward from any earlier status *or from failed* (a retried input that now succeeds is newer news
than the failure); nothing moves a stored document back.
"""

from typing import Any
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.stages import mark_stage_done
from app.storage.tables import DocumentRow, table_of, utcnow
from app.storage.upsert import upsert
from schemas.documents import DocumentStatus, Stage

_MOVES_FORWARD_FROM = {
    DocumentStatus.CLEANED: (DocumentStatus.RECEIVED, DocumentStatus.FAILED),
    DocumentStatus.EXTRACTED: (
        DocumentStatus.RECEIVED,
        DocumentStatus.CLEANED,
        DocumentStatus.FAILED,
    ),
}


async def register_document(
    session: AsyncSession,
    *,
    doc_id: str,
    filename: str | None,
    source: str,
    size_bytes: int,
    run_id: UUID | None,
) -> tuple[DocumentRow, bool]:
    """Insert the document as received unless it exists; return (row, created)."""
    now = utcnow()
    documents = table_of(DocumentRow)
    stmt = (
        upsert(session, documents, keys=["id"])
        .values(
            id=doc_id,
            filename=filename,
            source=source,
            size_bytes=size_bytes,
            status=DocumentStatus.RECEIVED,
            pages_without_text=[],
            metadata={},
            run_id=run_id,
            created_at=now,
            updated_at=now,
        )
        .returning(documents.c.id)
    )
    created = (await session.execute(stmt)).scalar_one_or_none() is not None
    row = await get_document(session, doc_id)
    assert row is not None, "the row was just inserted or already existed"
    return row, created


async def get_document(session: AsyncSession, doc_id: str) -> DocumentRow | None:
    """The document with this id, freshly read, or None."""
    return await session.get(DocumentRow, doc_id, populate_existing=True)


async def list_documents(
    session: AsyncSession, *, status: DocumentStatus | None = None, limit: int, offset: int = 0
) -> tuple[list[DocumentRow], int]:
    """One page of documents, newest first, and how many match in total."""
    criteria = [] if status is None else [DocumentRow.status == status]
    total = await session.scalar(select(func.count()).select_from(DocumentRow).where(*criteria))
    rows = await session.scalars(
        select(DocumentRow)
        .where(*criteria)
        .order_by(DocumentRow.created_at.desc(), DocumentRow.id)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return list(rows), total or 0


async def record_cleaned(
    session: AsyncSession, doc_id: str, *, page_count: int, pages_without_text: list[int]
) -> bool:
    """Mark the document cleaned unless it is already further along; True if it moved."""
    return await _move_forward(
        session,
        doc_id,
        DocumentStatus.CLEANED,
        page_count=page_count,
        pages_without_text=sorted(pages_without_text),
    )


async def record_extracted(session: AsyncSession, doc_id: str, result_sha256: str) -> bool:
    """Mark the document extracted and keep the result blob's hash on its extract stage."""
    await mark_stage_done(session, doc_id, Stage.EXTRACT, output_ref=result_sha256)
    return await _move_forward(session, doc_id, DocumentStatus.EXTRACTED)


async def mark_document_failed(session: AsyncSession, doc_id: str, error: str) -> bool:
    """Mark the document failed with a reason, unless it is already stored; True if it changed."""
    stmt = (
        update(DocumentRow)
        .where(DocumentRow.id == doc_id, DocumentRow.status != DocumentStatus.STORED)
        .values(status=DocumentStatus.FAILED, error=error, updated_at=utcnow())
        .returning(DocumentRow.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def _move_forward(session: AsyncSession, doc_id: str, status: DocumentStatus, **values: Any) -> bool:
    stmt = (
        update(DocumentRow)
        .where(DocumentRow.id == doc_id, DocumentRow.status.in_(_MOVES_FORWARD_FROM[status]))
        .values(status=status, error=None, updated_at=utcnow(), **values)
        .returning(DocumentRow.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None
