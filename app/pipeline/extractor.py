"""Runs pdfplumber in a process pool, so extraction never blocks the event loop (pdfplumber holds the GIL)."""

import asyncio
import multiprocessing
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import structlog

from app.errors import PermanentError, ShuttingDown
from app.pdf.extract import ExtractionSummary, extract_to_file
from schemas.dead_letters import DeadLetterReason

log = structlog.get_logger(__name__)


def _ignore_interrupts() -> None:
    """Pool workers ignore Ctrl-C: the parent decides when they stop, and shuts them down cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ready() -> bool:
    """Runs in a worker: importing this module already imported pdfplumber."""
    return True


class Extractor:
    """A pool of extraction processes, replaced if one of them dies."""

    def __init__(self, workers: int, timeout_seconds: float) -> None:
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self._pool: ProcessPoolExecutor | None = None
        self._closing = False

    def _ensure_pool(self) -> ProcessPoolExecutor:
        if self._closing:
            raise ShuttingDown("extraction not started: Headwater is stopping")
        if self._pool is None:
            # spawn, not fork: the parent runs an event loop and threads that must not be copied.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=200,
                initializer=_ignore_interrupts,
            )
        return self._pool

    async def warm_up(self) -> None:
        """Start every worker process now (each imports pdfplumber), not on the first document."""
        loop = asyncio.get_running_loop()
        pool = self._ensure_pool()
        await asyncio.gather(*(loop.run_in_executor(pool, _ready) for _ in range(self.workers)))

    async def extract(self, pdf: Path, out: Path, stop_flag: Path | None = None) -> ExtractionSummary:
        """Extract `pdf` into the JSON file `out` in a worker process (stopping if `stop_flag` appears)."""
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._ensure_pool(), extract_to_file, pdf, out, stop_flag)
        except RuntimeError as exc:  # "cannot schedule new futures after shutdown": close() is running
            if self._closing:
                raise ShuttingDown("extraction not started: Headwater is stopping") from exc
            raise
        try:
            async with asyncio.timeout(self.timeout_seconds):
                return await future
        except TimeoutError as exc:
            self._replace_pool()  # the stuck worker cannot be interrupted; retire the pool
            raise PermanentError(
                DeadLetterReason.TIMEOUT,
                f"Extraction took longer than {self.timeout_seconds:.0f} s and was abandoned.",
            ) from exc
        except asyncio.CancelledError as exc:
            task = asyncio.current_task()
            if self._closing and task is not None and not task.cancelling():
                # close() cancelled work that had not started: abandoned, like a terminated worker's.
                raise ShuttingDown("extraction abandoned: Headwater is stopping") from exc
            raise
        except BrokenProcessPool as exc:
            if self._closing:
                raise ShuttingDown("extraction abandoned: Headwater is stopping") from exc
            self._replace_pool()
            raise PermanentError(
                DeadLetterReason.EXTRACTION_FAILED,
                "The extraction process died (out of memory or a crash in the PDF library).",
            ) from exc

    def _replace_pool(self) -> None:
        log.warning("replacing the extraction process pool")
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        """Stop the worker processes now, abandoning in-flight extractions.

        An abandoned document was never marked done and its offset never committed, so it is
        extracted again after restart; waiting for a 300-page PDF would make Ctrl-C hang.
        """
        self._closing = True
        if self._pool is None:
            return
        workers = list((self._pool._processes or {}).values())  # no public API before 3.14
        for worker in workers:
            worker.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None
