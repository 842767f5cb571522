"""Cheap validation of a PDF before extraction (the clean stage): size, type, encryption, pages.

Uses pypdfium2, which opens a document and counts its text in a few milliseconds per page,
far cheaper than the full layout analysis pdfplumber does later.
"""

import threading
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from app.errors import PermanentError
from schemas.dead_letters import DeadLetterReason

PDF_MAGIC = b"%PDF-"
MAGIC_WINDOW_BYTES = 1024
# Standard security handler revisions pdfminer (and so pdfplumber) can decrypt.
_READABLE_SECURITY_REVISIONS = frozenset({2, 3, 4, 5, 6})
_NOT_ENCRYPTED = -1
# PDFium is not thread-safe, not even across different documents: one call at a time per
# process, so inspecting from several threads (e.g. asyncio.to_thread) cannot crash it.
_PDFIUM_LOCK = threading.Lock()
_ENCRYPTED_REASON = "The PDF is encrypted (password-protected); Headwater cannot read it."


@dataclass(frozen=True)
class PdfLimits:
    """The largest PDF the pipeline accepts."""

    max_bytes: int
    max_pages: int


@dataclass(frozen=True)
class PdfInspection:
    """What the clean stage learned about a readable PDF."""

    size_bytes: int
    page_count: int
    pages_without_text: tuple[int, ...]
    """1-based numbers of pages with no text layer (scanned or blank pages)."""


def inspect_pdf(path: Path, limits: PdfLimits) -> PdfInspection:
    """Validate a PDF cheaply, or raise PermanentError saying why it cannot be processed."""
    size = path.stat().st_size
    if size == 0:
        raise PermanentError(DeadLetterReason.EMPTY, "The file is empty (0 bytes).")
    if size > limits.max_bytes:
        raise PermanentError(
            DeadLetterReason.TOO_LARGE,
            f"The file is {size:,} bytes; the limit is {limits.max_bytes:,} bytes.",
        )
    with path.open("rb") as stream:
        head = stream.read(MAGIC_WINDOW_BYTES)
    if PDF_MAGIC not in head:
        raise PermanentError(
            DeadLetterReason.NOT_PDF,
            "The file is not a PDF: its first 1024 bytes lack the '%PDF-' signature.",
        )
    with _PDFIUM_LOCK:
        page_count, without_text = _read_pages(path, limits)
    return PdfInspection(size_bytes=size, page_count=page_count, pages_without_text=without_text)


def _read_pages(path: Path, limits: PdfLimits) -> tuple[int, tuple[int, ...]]:
    """Open the document with PDFium and list its pages without a text layer."""
    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise _open_error(exc) from exc
    try:
        _check_security(doc)
        page_count = len(doc)
        if page_count == 0:
            raise PermanentError(DeadLetterReason.EMPTY, "The PDF has no pages.")
        if page_count > limits.max_pages:
            raise PermanentError(
                DeadLetterReason.TOO_MANY_PAGES,
                f"The PDF has {page_count:,} pages; the limit is {limits.max_pages:,} pages.",
            )
        without_text = tuple(n for n in range(1, page_count + 1) if not _has_text(doc, n - 1))
    except pdfium.PdfiumError as exc:
        raise PermanentError(
            DeadLetterReason.MALFORMED, f"The PDF is damaged and cannot be read: {exc}"
        ) from exc
    finally:
        doc.close()
    return page_count, without_text


def _open_error(exc: Exception) -> PermanentError:
    """Translate a PDFium load failure into a dead-letter reason."""
    if getattr(exc, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
        return PermanentError(DeadLetterReason.ENCRYPTED, _ENCRYPTED_REASON)
    return PermanentError(DeadLetterReason.MALFORMED, f"The PDF is damaged or not a valid PDF: {exc}")


def _check_security(doc: pdfium.PdfDocument) -> None:
    """Reject encryption PDFium can open but pdfplumber cannot decrypt."""
    revision = pdfium_c.FPDF_GetSecurityHandlerRevision(doc.raw)
    if revision != _NOT_ENCRYPTED and revision not in _READABLE_SECURITY_REVISIONS:
        raise PermanentError(
            DeadLetterReason.ENCRYPTED,
            f"The PDF uses an unsupported encryption scheme (revision {revision}); Headwater cannot read it.",
        )


def _has_text(doc: pdfium.PdfDocument, index: int) -> bool:
    """Whether page `index` (0-based) has at least one non-whitespace character of text."""
    page = doc[index]
    try:
        textpage = page.get_textpage()
        try:
            return textpage.count_chars() > 0 and bool(textpage.get_text_range().strip())
        finally:
            textpage.close()
    finally:
        page.close()
