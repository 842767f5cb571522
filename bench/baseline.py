"""The baseline: plain pdfplumber (Headwater's own extract function) in a spawned process pool."""

import contextlib
import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from app.pdf.extract import extract_pdf
from bench.sampling import Usage, UsageSampler, high_water_mark


@dataclass(frozen=True)
class BaselineRun:
    """Plain pdfplumber over the corpus in a pool of the same size as Headwater's."""

    pages: int
    seconds: float
    failures: Counter[str]
    usage: Usage


def _warm() -> None:
    """A no-op task: starting a worker imports this module, hence pdfplumber."""


def _quiet_pdfminer() -> None:
    """Pool initializer: pdfminer's warnings about odd PDFs would interleave with the report."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _baseline_extract(path: str) -> tuple[int, str | None]:
    """Runs in a baseline worker: Headwater's per-file extraction, without writing the result."""
    try:
        return extract_pdf(Path(path)).page_count, None
    except Exception as exc:  # a benchmark counts failures, it does not stop on them
        return 0, f"{type(exc).__name__}: {exc}"[:120]


def _baseline_extract_with_peak(path: str) -> tuple[int, int]:
    """Runs in a fresh process: extract one file; return its page count and this process's peak RSS.

    VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a spawned child would report its
    parent's peak.
    """
    pages, _ = _baseline_extract(path)
    return pages, high_water_mark(os.getpid())


@contextlib.contextmanager
def _spawn_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A warm spawn pool; leaving the block (also by Ctrl-C) cancels what has not started yet."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_quiet_pdfminer)
    try:
        for future in [pool.submit(_warm) for _ in range(workers)]:  # start every worker before timing
            future.result()
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_baseline(files: Sequence[Path], workers: int) -> BaselineRun:
    """Extract every file in a warm spawn pool; wall time from first submit to last result."""
    with _spawn_pool(workers) as pool, UsageSampler(os.getpid()) as usage:
        start = time.perf_counter()
        results = list(pool.map(_baseline_extract, [f.as_posix() for f in files]))
        seconds = time.perf_counter() - start
    failures = Counter(error for _, error in results if error)
    return BaselineRun(sum(pages for pages, _ in results), seconds, failures, usage)


def baseline_peak_rss(path: Path) -> int:
    """Peak RSS of one fresh process that extracts `path` the baseline way."""
    with _spawn_pool(1) as pool:
        return pool.submit(_baseline_extract_with_peak, path.as_posix()).result()[1]
