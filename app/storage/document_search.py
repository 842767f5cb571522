"""Finding documents for the dashboard: by status, file name, run and label, newest first."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.predictions import DocumentLabelRow
from app.storage.run_tables import RunDocumentRow
from app.storage.tables import DocumentRow
from schemas.documents import DocumentStatus


@dataclass(frozen=True, slots=True)
class DocumentFilter:
    """What to look for; every field left as None matches everything."""

    status: DocumentStatus | None = None
    name: str | None = None
    """Part of the file name, any case."""
    run_id: UUID | None = None
    """The run it arrived with, or any run that covered it (replays, retries)."""
    label: str | None = None
    """Its label, exactly."""


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _criteria(found: DocumentFilter) -> list[ColumnElement[bool]]:
    criteria: list[ColumnElement[bool]] = []
    if found.status is not None:
        criteria.append(DocumentRow.status == found.status)
    if found.name:
        pattern = f"%{_escape_like(found.name.lower())}%"
        criteria.append(func.lower(DocumentRow.filename).like(pattern, escape="\\"))
    if found.run_id is not None:
        in_run = select(RunDocumentRow.doc_id).where(RunDocumentRow.run_id == found.run_id)
        criteria.append(or_(DocumentRow.run_id == found.run_id, DocumentRow.id.in_(in_run)))
    if found.label:
        labelled = select(DocumentLabelRow.doc_id).where(DocumentLabelRow.label == found.label)
        criteria.append(DocumentRow.id.in_(labelled))
    return criteria


async def search_documents(
    session: AsyncSession, found: DocumentFilter, *, limit: int, offset: int = 0
) -> tuple[list[tuple[DocumentRow, str | None]], int]:
    """One page of matching documents (with their labels), newest first, and how many match in all."""
    criteria = _criteria(found)
    total = await session.scalar(select(func.count()).select_from(DocumentRow).where(*criteria))
    stmt = (
        select(DocumentRow, DocumentLabelRow.label)
        .outerjoin(DocumentLabelRow, DocumentLabelRow.doc_id == DocumentRow.id)
        .where(*criteria)
        .order_by(DocumentRow.created_at.desc(), DocumentRow.id)
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    rows: list[tuple[DocumentRow, str | None]] = [
        (row, label) for row, label in (await session.execute(stmt)).all()
    ]
    return rows, total or 0


async def known_labels(session: AsyncSession) -> list[str]:
    """Every label some document has, alphabetically (for a filter's choices)."""
    stmt = select(DocumentLabelRow.label).distinct().order_by(DocumentLabelRow.label).limit(500)
    return list(await session.scalars(stmt))
