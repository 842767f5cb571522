"""The extract stage's work: normalised text, tables and metadata, and clear dead-letter reasons."""

import json
import pickle
from pathlib import Path

import pytest
from fpdf import FPDF
from pdfplumber.page import Page

from app.errors import PermanentError
from app.pdf.extract import ExtractionCancelled, ExtractionSummary, extract_pdf, extract_to_file
from app.pdf.inspect import PdfLimits, inspect_pdf
from schemas.dead_letters import DeadLetterReason
from schemas.extraction import ExtractionResult

LIMITS = PdfLimits(max_bytes=50_000_000, max_pages=1_000)
ISSUE_140_HEADER = [
    "Line no",
    "UPC code",
    "Location",
    "Item Description",
    "Item Quantity",
    "Bill Amount",
    "Accrued Amount",
    "Handling Rate",
    "PO number",
]


def _extraction_error(path: Path) -> PermanentError:
    with pytest.raises(PermanentError) as caught:
        extract_pdf(path)
    return caught.value


def _two_page_table_pdf(path: Path) -> Path:
    """Two pages, each with one ruled 3x2 table."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for page in (1, 2):
        pdf.add_page()
        with pdf.table() as table:
            for cells in (("City", "Population"), (f"Town {page}", f"{page}000")):
                row = table.row()
                for cell in cells:
                    row.cell(cell)
    pdf.output(str(path))
    return path


def test_every_bad_corpus_file_is_a_permanent_error_with_a_reason(
    corpus_dir: Path, bad_corpus_file: str
) -> None:
    path = corpus_dir / bad_corpus_file
    listed = (corpus_dir / "BAD.txt").read_text(encoding="utf-8").splitlines()
    pdfplumber_error = dict(line.split("\t", 1) for line in listed if line.strip())
    expected = {DeadLetterReason.EMPTY, DeadLetterReason.MALFORMED}
    if "PDFPasswordIncorrect" in pdfplumber_error[bad_corpus_file]:
        expected = {DeadLetterReason.ENCRYPTED}
    with pytest.raises(PermanentError) as inspected:
        inspect_pdf(path, LIMITS)
    extracted = _extraction_error(path)
    for error in (inspected.value, extracted):
        assert error.reason_code in expected
        assert len(error.reason) > 20


def test_encrypted_pdf_is_rejected_as_encrypted(corpus_dir: Path) -> None:
    error = _extraction_error(corpus_dir / "pypdf/r2-user-password.pdf")
    assert error.reason_code is DeadLetterReason.ENCRYPTED
    assert error.reason == (
        "The PDF is encrypted (password-protected); Headwater cannot read it. (PDFPasswordIncorrect)"
    )


def test_zero_byte_file_is_malformed_naming_the_parser_error(corpus_dir: Path) -> None:
    error = _extraction_error(corpus_dir / "pdfplumber/empty.pdf")
    assert error.reason_code is DeadLetterReason.MALFORMED
    assert "PDFSyntaxError: No /Root object! - Is this really a PDF?" in error.reason


def test_non_pdf_bytes_are_malformed(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("plain text, not a PDF\n" * 50)
    assert _extraction_error(path).reason_code is DeadLetterReason.MALFORMED


def test_pdf_whose_page_tree_holds_no_pages_is_empty(corpus_dir: Path) -> None:
    error = _extraction_error(corpus_dir / "pdfplumber/issue-297-example.pdf")
    assert error.reason_code is DeadLetterReason.EMPTY
    assert error.reason == "The PDF has no pages."


def test_unexpected_library_failure_is_wrapped_as_extraction_failed(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Page) -> None:
        raise ValueError("x" * 2_000)

    monkeypatch.setattr(Page, "extract_tables", broken)
    error = _extraction_error(corpus_dir / "pypdf/crazyones.pdf")
    assert error.reason_code is DeadLetterReason.EXTRACTION_FAILED
    assert error.reason.startswith("Text and table extraction failed on this PDF. (ValueError: x")
    assert len(error.reason) < 600


def test_memory_error_is_not_disguised_as_a_bad_pdf(
    corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(self: Page) -> None:
        raise MemoryError

    monkeypatch.setattr(Page, "extract_tables", exhausted)
    with pytest.raises(MemoryError):
        extract_pdf(corpus_dir / "pypdf/crazyones.pdf")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("pypdf/crazyones.pdf", ["The Crazy Ones", "October 14, 1998", "troublemakers"]),
        ("pdfplumber/scotus-transcript-p1.pdf", ["SUPREME COURT", "MICHAEL A. KNOWLES"]),
        (
            "pdfminer.six/zen_of_python_corrupted.pdf",
            ["Beautiful is better than ugly.", "Readability counts."],
        ),
    ],
)
def test_text_corpus_files_yield_real_text(corpus_dir: Path, name: str, words: list[str]) -> None:
    result = extract_pdf(corpus_dir / name)
    assert result.page_count == len(result.pages) == 1
    page = result.pages[0]
    assert page.number == 1
    assert page.has_text_layer
    for word in words:
        assert word in page.text


def test_pages_carry_their_size_and_metadata_is_flat_strings(corpus_dir: Path) -> None:
    result = extract_pdf(corpus_dir / "pypdf/crazyones.pdf")
    assert (result.pages[0].width, result.pages[0].height) == (612.0, 792.0)
    assert result.metadata == {
        "Creator": "XeTeX output 2015.06.04:1334",
        "Producer": "xdvipdfmx (20140317)",
        "CreationDate": "D:20150604133406-06'00'",
    }


def test_scanned_page_has_no_text_layer(corpus_dir: Path) -> None:
    result = extract_pdf(corpus_dir / "pdfminer.six/pdf-with-jbig2.pdf")
    assert [(p.number, p.has_text_layer, p.text) for p in result.pages] == [(1, False, "")]
    assert result.metadata["Creator"] == "Xerox WorkCentre 5030"


def test_tables_have_header_and_rows(corpus_dir: Path) -> None:
    tables = extract_pdf(corpus_dir / "pdfplumber/issue-140-example.pdf").tables
    assert [t.index for t in tables] == [0, 1, 2, 3, 4]
    items = tables[1]
    assert items.page_number == 1
    assert items.header == ISSUE_140_HEADER
    assert len(items.rows) == 4
    assert items.rows[0] == [
        "",
        "0085648100305",
        "CENTRAL KMA",
        "LILYS 40% SLTD ALMND CHOC",
        "637",
        "$ 0.61",
        "$ 388.57",
        "0.0000",
        "",
    ]
    assert [row[4] for row in items.rows] == ["637", "688", "560", "415"]


def test_multiline_and_missing_cells_become_single_line_strings(corpus_dir: Path) -> None:
    (table,) = extract_pdf(corpus_dir / "pdfplumber/senate-expenditures.pdf").tables
    assert table.header == [
        "DOCUMENTNO.",
        "DATE POSTED",
        "PAYEENAME",
        "OBLIGATION/SERVICE DATES",
        "",
        "DESCRIPTION",
        "AMOUNT($)",
    ]
    assert table.rows[0] == ["", "", "", "START", "END", "", ""]


def test_table_index_counts_across_pages(tmp_path: Path) -> None:
    tables = extract_pdf(_two_page_table_pdf(tmp_path / "tables.pdf")).tables
    assert [(t.index, t.page_number) for t in tables] == [(0, 1), (1, 2)]
    assert tables[1].header == ["City", "Population"]
    assert tables[1].rows == [["Town 2", "2000"]]


def test_cancelled_extraction_stops_before_the_next_page(tmp_path: Path) -> None:
    asked: list[int] = []

    def stop_after_first_page() -> bool:
        asked.append(1)
        return len(asked) > 1

    with pytest.raises(ExtractionCancelled, match="before page 2"):
        extract_pdf(_two_page_table_pdf(tmp_path / "tables.pdf"), stop_after_first_page)
    assert len(asked) == 2


def test_extract_to_file_writes_valid_json_atomically(corpus_dir: Path, tmp_path: Path) -> None:
    source = corpus_dir / "pdfplumber/issue-140-example.pdf"
    out = tmp_path / "result.json"
    out.write_text("stale")
    summary = extract_to_file(source, out)
    assert summary == ExtractionSummary(page_count=1, table_count=5)
    stored = ExtractionResult.model_validate_json(out.read_text(encoding="utf-8"))
    assert stored == extract_pdf(source)
    assert json.loads(out.read_text(encoding="utf-8"))["tables"][1]["header"] == ISSUE_140_HEADER
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


def test_failed_extract_to_file_leaves_no_output(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    with pytest.raises(PermanentError):
        extract_to_file(corpus_dir / "pypdf/encrypted-file.pdf", out)
    assert list(tmp_path.iterdir()) == []


def test_extraction_errors_survive_the_process_boundary(corpus_dir: Path) -> None:
    error = _extraction_error(corpus_dir / "pypdf/encrypted-file.pdf")
    copy = pickle.loads(pickle.dumps(error))
    assert isinstance(copy, PermanentError)
    assert (copy.reason_code, copy.reason) == (error.reason_code, error.reason)
    summary = ExtractionSummary(page_count=3, table_count=1)
    assert pickle.loads(pickle.dumps(summary)) == summary
    cancelled = pickle.loads(pickle.dumps(ExtractionCancelled("stopped before page 2")))
    assert str(cancelled) == "stopped before page 2"
