"""Sample inputs for storage tests, and a way to compare rows by value."""

import hashlib
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.documents import get_document, register_document
from app.storage.tables import Base, DocumentRow
from schemas.extraction import ExtractedTable, ExtractionResult, PageText


def doc_id(seed: str) -> str:
    """A valid document id (sha256 hex) derived from `seed`."""
    return hashlib.sha256(seed.encode()).hexdigest()


async def registered(session: AsyncSession, seed: str, **overrides: Any) -> DocumentRow:
    """Register a document made from `seed` and return its row."""
    values: dict[str, Any] = {
        "doc_id": doc_id(seed),
        "filename": f"{seed}.pdf",
        "source": "upload",
        "size_bytes": 1234,
        "run_id": None,
    }
    row, _ = await register_document(session, **(values | overrides))
    return row


def extraction(*, pages: int, tables: int, text: str = "page {n}") -> ExtractionResult:
    """An extraction result with `pages` pages and `tables` tables."""
    return ExtractionResult(
        page_count=pages,
        metadata={"Title": "Quarterly report", "Author": "Ops"},
        pages=[
            PageText(
                number=n,
                text=text.format(n=n),
                has_text_layer=n % 2 == 1,
                width=595.5,
                height=842.25,
            )
            for n in range(1, pages + 1)
        ],
        tables=[
            ExtractedTable(
                index=i,
                page_number=1 + i % max(pages, 1),
                header=["name", "amount"],
                rows=[[f"row {r} of table {i}", str(r * 10)] for r in range(3)],
            )
            for i in range(tables)
        ],
    )


def values(row: Base) -> dict[str, Any]:
    """Every column of an ORM row, by attribute name."""
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs}


def all_values(rows: list[Any]) -> list[dict[str, Any]]:
    """`values` of each row, in order."""
    return [values(row) for row in rows]


async def status_of(session: AsyncSession, doc_id: str) -> str:
    """The document's current status (it must exist)."""
    row = await get_document(session, doc_id)
    assert row is not None, f"no document {doc_id}"
    return row.status
