"""Turn pdfplumber's raw tables (lists of rows of cells) into `ExtractedTable` models."""

from collections.abc import Sequence

from app.pdf.normalise import normalise_cell
from schemas.extraction import ExtractedTable

RawTable = Sequence[Sequence[str | None]]


def to_extracted_tables(
    raw_tables: Sequence[RawTable], page_number: int, first_index: int
) -> list[ExtractedTable]:
    """Convert one page's tables: first row is the header; tables with no rows are skipped."""
    tables: list[ExtractedTable] = []
    for raw in raw_tables:
        if not raw:
            continue
        cells = [[normalise_cell(cell) for cell in row] for row in raw]
        tables.append(
            ExtractedTable(
                index=first_index + len(tables),
                page_number=page_number,
                header=cells[0],
                rows=cells[1:],
            )
        )
    return tables
