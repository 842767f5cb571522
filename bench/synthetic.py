"""A deterministic synthetic PDF corpus for the benchmark: pages of prose plus one ruled table each.

Every table cell is drawn with its borders, so pdfplumber's default ("lines") table finder sees
the grid; `table_is_detected` checks that on a generated file.
"""

import random
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pdfplumber
from fpdf import FPDF

VOCABULARY = """
    river basin flow gauge station upstream downstream rainfall runoff reservoir catchment
    discharge sediment channel aquifer wetland levee tributary monitoring quarterly report
    volume capacity forecast seasonal average maximum minimum estimate survey sample analysis
"""
WORDS = tuple(VOCABULARY.split())
TABLE_HEADER = ("Station", "Month", "Flow m3/s", "Level m", "Rain mm", "Quality")
DEFAULT_SEED = 20240611
FIXED_DATE = datetime(2024, 6, 11, tzinfo=UTC)
MARGIN_MM = 15.0
LINE_MM = 5.0
CHARS_PER_LINE = 95  # Helvetica 10 pt on the 180 mm text width of A4
CELL_WIDTH_MM = 30.0
CELL_HEIGHT_MM = 6.0


@dataclass(frozen=True)
class SyntheticSpec:
    """How many documents to make and how long they are."""

    count: int
    min_pages: int = 1
    max_pages: int = 20
    seed: int = DEFAULT_SEED


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _table_rows(rng: random.Random) -> list[tuple[str, ...]]:
    rows = [TABLE_HEADER]
    for _ in range(rng.randint(5, 10)):
        rows.append(
            (
                f"ST-{rng.randint(100, 999)}",
                rng.choice(("Jan", "Feb", "Mar", "Apr", "May", "Jun")),
                f"{rng.uniform(0.5, 900):.2f}",
                f"{rng.uniform(0.1, 12):.2f}",
                f"{rng.uniform(0, 250):.1f}",
                rng.choice(("good", "fair", "poor")),
            )
        )
    return rows


def _write_lines(pdf: FPDF, y: float, text: str) -> float:
    """Write wrapped prose from `y` down (pdf.text, not multi_cell: ten times faster); return the next y."""
    for line in textwrap.wrap(text, width=CHARS_PER_LINE):
        pdf.text(MARGIN_MM, y, line)
        y += LINE_MM
    return y + LINE_MM / 2


def _draw_table(pdf: FPDF, y: float, rows: list[tuple[str, ...]]) -> float:
    """Draw a fully ruled grid with one value per cell from `y` down; return the y below it."""
    width = len(rows[0]) * CELL_WIDTH_MM
    for r, values in enumerate(rows):
        top = y + r * CELL_HEIGHT_MM
        for c, value in enumerate(values):
            pdf.text(MARGIN_MM + c * CELL_WIDTH_MM + 1.5, top + CELL_HEIGHT_MM - 2, value)
    bottom = y + len(rows) * CELL_HEIGHT_MM
    for r in range(len(rows) + 1):
        pdf.line(MARGIN_MM, y + r * CELL_HEIGHT_MM, MARGIN_MM + width, y + r * CELL_HEIGHT_MM)
    for c in range(len(rows[0]) + 1):
        pdf.line(MARGIN_MM + c * CELL_WIDTH_MM, y, MARGIN_MM + c * CELL_WIDTH_MM, bottom)
    return bottom + LINE_MM


def _add_page(pdf: FPDF, rng: random.Random, number: int) -> None:
    """One page: a heading, two or three paragraphs, a ruled table, a closing paragraph."""
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.text(MARGIN_MM, 20, f"Section {number}: {rng.choice(WORDS).title()} {rng.choice(WORDS)}")
    pdf.set_font("Helvetica", size=10)
    y = 30.0
    for _ in range(rng.randint(2, 3)):
        y = _write_lines(pdf, y, _paragraph(rng))
    pdf.set_font("Helvetica", size=9)
    y = _draw_table(pdf, y, _table_rows(rng))
    pdf.set_font("Helvetica", size=10)
    _write_lines(pdf, y + LINE_MM, _paragraph(rng))


def write_document(path: Path, pages: int, rng: random.Random) -> Path:
    """Write a PDF of `pages` pages to `path`."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)  # not "now": the same seed gives the same bytes every run
    pdf.set_title(path.stem)
    for number in range(1, pages + 1):
        _add_page(pdf, rng, number)
    pdf.output(str(path))
    return path


def generate_corpus(out_dir: Path, spec: SyntheticSpec) -> list[Path]:
    """Write `spec.count` documents of `min_pages`..`max_pages` pages each; the same seed, the same files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(spec.seed)
    return [
        write_document(out_dir / f"synthetic-{i:04d}.pdf", rng.randint(spec.min_pages, spec.max_pages), rng)
        for i in range(spec.count)
    ]


def generate_long_document(out_dir: Path, pages: int = 350, seed: int = DEFAULT_SEED) -> Path:
    """Write one long document (the memory figure's input)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_document(out_dir / f"long-{pages}-pages.pdf", pages, random.Random(seed + pages))


def table_is_detected(path: Path) -> bool:
    """True if pdfplumber's default settings find the full table (header and rows) on page 1."""
    with pdfplumber.open(path) as pdf:
        tables = pdf.pages[0].extract_tables()
    return bool(tables) and tuple(tables[0][0]) == TABLE_HEADER and len(tables[0]) >= 6
