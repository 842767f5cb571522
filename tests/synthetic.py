"""Synthetic PDFs for tests that need a slow document: dense text pages, distinct bytes per seed."""

from pathlib import Path

from fpdf import FPDF


def dense_text_pdf(path: Path, pages: int, seed: int) -> Path:
    """A PDF of `pages` pages of 60 text lines each (~0.1-0.2 s per page to extract)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    for page in range(1, pages + 1):
        pdf.add_page()
        for line in range(1, 61):
            text = f"Document {seed}, page {page}, line {line}: the quick brown fox jumps over the lazy dog."
            pdf.cell(0, 4, text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
