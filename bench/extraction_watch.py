"""Watch Headwater's extraction processes from outside: which document each has open, and stop flags.

A pool worker keeps a document's blob (`<data>/blobs/ab/cd/<doc_id>`) open while it extracts it and
closes it when it returns, so "the worker has the file open" is extraction in progress, read from
`/proc` without touching Headwater. The extract stage's watcher creates `<data>/tmp/*/stop` when the
run is cancelled; seeing it appear tells when the worker was told to stop.
"""

import contextlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

POLL_SECONDS = 0.01
REFRESH_WORKERS_SECONDS = 0.5


@dataclass
class Sightings:
    """When each document was first and last seen open by a worker, and when stop flags appeared."""

    first_open: dict[str, float] = field(default_factory=dict)
    last_open: dict[str, float] = field(default_factory=dict)
    open_now: set[str] = field(default_factory=set)
    first_stop_flag: float | None = None
    polled_at: float = 0.0


class ExtractionWatch:
    """Poll the extraction workers of one Headwater every 10 ms in a thread, for a `with` block."""

    def __init__(self, service_pid: int, data_dir: Path) -> None:
        self.service_pid = service_pid
        self.scratch = data_dir / "tmp"
        self._lock = threading.Lock()
        self._sightings = Sightings()
        self._workers: list[psutil.Process] = []
        self._workers_at = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "ExtractionWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def reset(self) -> None:
        """Forget everything seen so far (before the next measurement)."""
        with self._lock:
            self._sightings = Sightings()

    def sightings(self) -> Sightings:
        """A copy of what was seen so far."""
        with self._lock:
            s = self._sightings
            return Sightings(
                dict(s.first_open), dict(s.last_open), set(s.open_now), s.first_stop_flag, s.polled_at
            )

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self._poll()

    def _extraction_workers(self, now: float) -> list[psutil.Process]:
        if now - self._workers_at > REFRESH_WORKERS_SECONDS:
            with contextlib.suppress(psutil.Error):
                children = psutil.Process(self.service_pid).children(recursive=True)
                self._workers = [p for p in children if "spawn_main" in " ".join(p.cmdline())]
            self._workers_at = now
        return self._workers

    def _poll(self) -> None:
        now = time.time()
        open_docs: set[str] = set()
        for worker in self._extraction_workers(now):
            with contextlib.suppress(psutil.Error):
                open_docs.update(Path(f.path).name for f in worker.open_files())
        stop_flag = any(self.scratch.glob("*/stop"))
        with self._lock:
            s = self._sightings
            for doc_id in open_docs:
                s.first_open.setdefault(doc_id, now)
                s.last_open[doc_id] = now
            s.open_now = open_docs
            if stop_flag and s.first_stop_flag is None:
                s.first_stop_flag = now
            s.polled_at = now
