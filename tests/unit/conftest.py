"""Fixtures locating the shared real-world PDF corpus (../shared/corpus beside the repo)."""

from pathlib import Path

import pytest

CORPUS_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
MISSING = f"PDF corpus not found at {CORPUS_DIR.resolve()}; clone 'shared' beside the repo"
# Test arguments filled from the corpus lists: argument name -> list file.
LISTED_ARGUMENTS = {"bad_corpus_file": "BAD.txt", "ok_corpus_file": "OK.txt"}


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The corpus directory; skips the test when the corpus is not checked out."""
    if not CORPUS_DIR.is_dir():
        pytest.skip(MISSING)
    return CORPUS_DIR


def _listed_files(list_name: str) -> list[str]:
    """Corpus-relative paths from a list file (first tab-separated column)."""
    lines = (CORPUS_DIR / list_name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrise `bad_corpus_file` / `ok_corpus_file` over BAD.txt / OK.txt."""
    for argument, list_name in LISTED_ARGUMENTS.items():
        if argument not in metafunc.fixturenames:
            continue
        if not CORPUS_DIR.is_dir():
            skipped = pytest.param("", marks=pytest.mark.skip(reason=MISSING))
            metafunc.parametrize(argument, [skipped], ids=["corpus-missing"])
            continue
        files = _listed_files(list_name)
        metafunc.parametrize(argument, files, ids=files)
