"""Figures and limits shared by the pipeline benchmark's modules."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT.parent / "shared" / "corpus"
DOCUMENTS_API = "/api/v1/documents"
BASELINE_METHOD = (
    "app.pdf.extract.extract_pdf per file (pdfplumber extract_text + extract_tables, pages closed)"
)
SAMPLE_SECONDS = 0.1
POLL_SECONDS = 0.5  # figures come from `updated_at`; 2 counts per 100 ms cost Headwater 6% of a core
UPLOAD_CONCURRENCY = 4
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 30.0
TARGET_RATIO = 0.95
TARGET_LONG_MB = 300
LONG_PAGES = 350
QUICK_LONG_PAGES = 40
OTHER_LOAD_WARNING = 0.10
MB = 1024 * 1024
