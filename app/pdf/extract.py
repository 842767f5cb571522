"""Full extraction of a PDF with pdfplumber (the extract stage), run in a worker process.

`extract_to_file` is the process-pool entry point: the result goes to disk and only a small
summary crosses the process boundary.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from io import BufferedReader
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.psexceptions import PSException
from pdfplumber.page import Page
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from app.errors import HeadwaterError, PermanentError
from app.pdf.normalise import normalise_metadata, normalise_text
from app.pdf.tables import to_extracted_tables
from schemas.dead_letters import DeadLetterReason
from schemas.extraction import ExtractedTable, ExtractionResult, PageText

MAX_DETAIL_CHARS = 500


class ExtractionCancelled(HeadwaterError):
    """The caller asked extraction to stop; raised between pages."""


@dataclass(frozen=True)
class ExtractionSummary:
    """What a worker process reports back after writing an extraction to disk."""

    page_count: int
    table_count: int


def extract_pdf(path: Path, should_stop: Callable[[], bool] | None = None) -> ExtractionResult:
    """Extract normalised text, tables and metadata from a PDF, one page at a time."""
    with path.open("rb") as stream:
        try:
            return _extract(stream, should_stop)
        except (HeadwaterError, MemoryError):
            raise
        except Exception as exc:  # pdfminer raises far more than its own exception types
            raise _as_permanent_error(exc) from exc


def extract_to_file(path: Path, out: Path, stop_flag: Path | None = None) -> ExtractionSummary:
    """Extract a PDF and write the result as JSON to `out` atomically; return a summary.

    If the file `stop_flag` appears, extraction stops before the next page (ExtractionCancelled):
    a file is the one signal every process sharing the data dir can set and see, and checking it
    costs one `stat` per page.
    """
    result = extract_pdf(path, stop_flag.exists if stop_flag is not None else None)
    tmp = out.with_suffix(".tmp")
    try:
        tmp.write_text(result.model_dump_json(), encoding="utf-8")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return ExtractionSummary(page_count=result.page_count, table_count=len(result.tables))


def _extract(stream: BufferedReader, should_stop: Callable[[], bool] | None) -> ExtractionResult:
    """Walk the pages, releasing each page's parsed layout before the next one."""
    pages: list[PageText] = []
    tables: list[ExtractedTable] = []
    with pdfplumber.open(stream) as pdf:
        metadata = normalise_metadata(pdf.metadata)
        for page in pdf.pages:
            if should_stop is not None and should_stop():
                raise ExtractionCancelled(f"Extraction cancelled before page {page.page_number}.")
            try:
                pages.append(_page_text(page))
                raw_tables = page.extract_tables()
                tables += to_extracted_tables(raw_tables, page.page_number, len(tables))
            finally:
                page.close()
    if not pages:
        raise PermanentError(DeadLetterReason.EMPTY, "The PDF has no pages.")
    return ExtractionResult(page_count=len(pages), metadata=metadata, pages=pages, tables=tables)


def _page_text(page: Page) -> PageText:
    """The normalised text and size of one page."""
    return PageText(
        number=page.page_number,
        text=normalise_text(page.extract_text()),
        has_text_layer=bool(page.chars),
        width=float(page.width),
        height=float(page.height),
    )


def _as_permanent_error(exc: Exception) -> PermanentError:
    """Map a pdfplumber/pdfminer failure to a dead-letter reason a person can act on."""
    cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
    if not isinstance(cause, BaseException):
        cause = exc
    message = str(cause).strip()
    detail = f"{type(cause).__name__}: {message}" if message else type(cause).__name__
    detail = detail[:MAX_DETAIL_CHARS]
    if isinstance(cause, PDFEncryptionError):
        return PermanentError(
            DeadLetterReason.ENCRYPTED,
            f"The PDF is encrypted (password-protected); Headwater cannot read it. ({detail})",
        )
    if isinstance(exc, PdfminerException) or isinstance(cause, PSException | MalformedPDFException):
        return PermanentError(
            DeadLetterReason.MALFORMED,
            f"The PDF is damaged or not a valid PDF; pdfplumber could not parse it. ({detail})",
        )
    return PermanentError(
        DeadLetterReason.EXTRACTION_FAILED,
        f"Text and table extraction failed on this PDF. ({detail})",
    )
