"""The clean stage's cheap PDF check: what it accepts, what it rejects and why."""

import time
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from app.errors import PermanentError
from app.pdf.inspect import PdfInspection, PdfLimits, inspect_pdf
from schemas.dead_letters import DeadLetterReason

LIMITS = PdfLimits(max_bytes=50_000_000, max_pages=1_000)
# OK.txt lists what pdfplumber reads. These two need a user password: pdfminer opens them
# anyway (without it), PDFium refuses, and Headwater treats them as encrypted.
USER_PASSWORD_FILES = {"pypdf/r5-user-password.pdf", "pypdf/r6-user-password.pdf"}


def _rejection(path: Path, limits: PdfLimits = LIMITS) -> PermanentError:
    with pytest.raises(PermanentError) as caught:
        inspect_pdf(path, limits)
    return caught.value


def _text_and_image_pdf(path: Path) -> Path:
    """Three pages: text, a picture only (like a scan), text."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    pdf.cell(text="First page has text.")
    pdf.add_page()
    pdf.image(Image.new("RGB", (200, 100), "gray"), x=10, y=10, w=100)
    pdf.add_page()
    pdf.cell(text="Third page has text.")
    pdf.output(str(path))
    return path


def test_readable_pdf_reports_size_and_pages(corpus_dir: Path) -> None:
    path = corpus_dir / "pdfplumber/ca-warn-report.pdf"
    assert inspect_pdf(path, LIMITS) == PdfInspection(
        size_bytes=478_619, page_count=16, pages_without_text=()
    )


def test_empty_file_is_empty(tmp_path: Path, corpus_dir: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    for path in (empty, corpus_dir / "pdfplumber/empty.pdf"):
        error = _rejection(path)
        assert error.reason_code is DeadLetterReason.EMPTY
        assert error.reason == "The file is empty (0 bytes)."


def test_file_over_max_bytes_is_too_large_before_it_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"not even a pdf" * 100)
    error = _rejection(path, PdfLimits(max_bytes=1_000, max_pages=10))
    assert error.reason_code is DeadLetterReason.TOO_LARGE
    assert error.reason == "The file is 1,400 bytes; the limit is 1,000 bytes."


def test_non_pdf_bytes_are_not_pdf(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("Just some notes, saved with the wrong extension.\n" * 10)
    error = _rejection(path)
    assert error.reason_code is DeadLetterReason.NOT_PDF
    assert "%PDF-" in error.reason


def test_pdf_signature_after_leading_junk_is_accepted_within_1024_bytes(
    tmp_path: Path, corpus_dir: Path
) -> None:
    pdf_bytes = (corpus_dir / "pypdf/crazyones.pdf").read_bytes()
    near, far = tmp_path / "near.pdf", tmp_path / "far.pdf"
    near.write_bytes(b"\n" * 1000 + pdf_bytes)
    far.write_bytes(b"\n" * 1020 + pdf_bytes)
    assert inspect_pdf(near, LIMITS).page_count == 1
    assert _rejection(far).reason_code is DeadLetterReason.NOT_PDF


def test_truncated_pdf_is_malformed_with_the_library_message(tmp_path: Path, corpus_dir: Path) -> None:
    path = tmp_path / "truncated.pdf"
    path.write_bytes((corpus_dir / "pypdf/crazyones.pdf").read_bytes()[:300])
    error = _rejection(path)
    assert error.reason_code is DeadLetterReason.MALFORMED
    assert error.reason.startswith("The PDF is damaged or not a valid PDF: ")
    assert "Data format error" in error.reason


def test_encrypted_pdf_is_rejected_as_encrypted(corpus_dir: Path) -> None:
    error = _rejection(corpus_dir / "pdfplumber/password-example.pdf")
    assert error.reason_code is DeadLetterReason.ENCRYPTED
    assert error.reason == "The PDF is encrypted (password-protected); Headwater cannot read it."


def test_pdf_with_only_an_owner_password_is_readable(corpus_dir: Path) -> None:
    assert inspect_pdf(corpus_dir / "pypdf/r4-owner-password.pdf", LIMITS).page_count == 1


def test_too_many_pages(corpus_dir: Path) -> None:
    error = _rejection(corpus_dir / "pdfplumber/ca-warn-report.pdf", PdfLimits(10**9, 15))
    assert error.reason_code is DeadLetterReason.TOO_MANY_PAGES
    assert error.reason == "The PDF has 16 pages; the limit is 15 pages."


def test_page_count_at_the_limit_is_accepted(corpus_dir: Path) -> None:
    path = corpus_dir / "pdfplumber/ca-warn-report.pdf"
    assert inspect_pdf(path, PdfLimits(10**9, 16)).page_count == 16


def test_scanned_pages_are_flagged(corpus_dir: Path) -> None:
    scan = corpus_dir / "pdfminer.six/pdf-with-jbig2.pdf"  # a Xerox WorkCentre scan
    assert inspect_pdf(scan, LIMITS).pages_without_text == (1,)
    images = corpus_dir / "pypdf/imagemagick-images.pdf"
    assert inspect_pdf(images, LIMITS).pages_without_text == (4, 5)


def test_image_only_page_between_text_pages_is_flagged(tmp_path: Path) -> None:
    inspection = inspect_pdf(_text_and_image_pdf(tmp_path / "mixed.pdf"), LIMITS)
    assert inspection.page_count == 3
    assert inspection.pages_without_text == (2,)


def test_every_ok_corpus_file_passes_inspection(corpus_dir: Path, ok_corpus_file: str) -> None:
    path = corpus_dir / ok_corpus_file
    if ok_corpus_file in USER_PASSWORD_FILES:
        assert _rejection(path).reason_code is DeadLetterReason.ENCRYPTED
        return
    inspection = inspect_pdf(path, LIMITS)
    assert inspection.size_bytes == path.stat().st_size
    assert inspection.page_count >= 1
    assert all(1 <= n <= inspection.page_count for n in inspection.pages_without_text)


def test_inspection_costs_milliseconds_per_page(corpus_dir: Path) -> None:
    path = corpus_dir / "pdfplumber/chelsea_pdta.pdf"  # 65 pages, 2.9 MB; page 4 is blank
    started = time.perf_counter()
    inspection = inspect_pdf(path, LIMITS)
    elapsed = time.perf_counter() - started
    assert inspection.page_count == 65
    assert inspection.pages_without_text == (4,)
    # About 2 ms a page on a laptop; the bound leaves room for a slow CI runner.
    assert elapsed / inspection.page_count < 0.05
