"""What the extract stage produces for one document, kept as a JSON blob and loaded by the store stage."""

from pydantic import Field

from schemas.base import Message


class PageText(Message):
    """The normalised text of one page."""

    number: int = Field(ge=1)
    text: str
    has_text_layer: bool
    width: float
    height: float


class ExtractedTable(Message):
    """One table: the first row is taken as its header."""

    index: int = Field(ge=0, description="0-based position of the table in the document.")
    page_number: int = Field(ge=1)
    header: list[str]
    rows: list[list[str]]


class ExtractionResult(Message):
    """Everything extracted from one PDF."""

    page_count: int
    metadata: dict[str, str] = Field(default_factory=dict)
    pages: list[PageText]
    tables: list[ExtractedTable]
