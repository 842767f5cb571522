"""The cancel-latency benchmark's figures: one row per trial, the worst of each, and the baseline ratio."""

import math
import os
import statistics
import time
from dataclasses import dataclass
from typing import Any

import psutil

from bench.pipeline import verdict

TARGET_SECONDS = 1.0


@dataclass(frozen=True)
class Config:
    """What one benchmark run covers."""

    pages: int
    queue: int
    queue_pages: int
    repeats: int
    workers: int


@dataclass(frozen=True)
class Trial:
    """One run started and cancelled; every time in seconds from the cancel request."""

    in_flight: int
    """Documents of the run a worker had open when the cancel was sent."""
    long_doc_in_flight: bool
    acknowledged: float
    """The cancel request answered (its body: the run, `cancelled`)."""
    acknowledged_status: str
    pushed: float
    """A `/ws/progress` client following the run received status `cancelled`."""
    settled: float
    """... and every document of the run accounted for (the rest skipped)."""
    stop_flag: float
    """The extract stage created the stop file its worker checks between pages."""
    long_stopped: float
    """The worker closed the long document (its extraction ended)."""
    all_stopped: float
    """No worker had any document of the run open any more."""
    stored_late: int
    """Documents of the run written after the cancel was acknowledged (must be 0)."""
    counts: dict[str, Any]


def _ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value * 1000:,.0f} ms"


COLUMNS: list[tuple[str, str]] = [
    ("acknowledged", "cancel answered"),
    ("pushed", "WS: cancelled"),
    ("settled", "WS: all accounted"),
    ("stop_flag", "stop file"),
    ("long_stopped", "long doc closed"),
    ("all_stopped", "all extraction ended"),
]


def print_report(config: Config, trials: list[Trial], pages: list[float]) -> None:
    """Each trial's times, the max of each, the target verdicts and the ratio to one page's time."""
    page = statistics.median(pages)
    header = ["trial", *(title for _, title in COLUMNS), "in flight", "stored late", "final counts"]
    rows = [header]
    for number, trial in enumerate(trials, 1):
        counts = trial.counts
        rows.append([
            str(number), *(_ms(getattr(trial, name)) for name, _ in COLUMNS),
            f"{trial.in_flight}{' (long)' if trial.long_doc_in_flight else ''}", str(trial.stored_late),
            f"{counts['done']} done, {counts['skipped']} skipped of {counts['total']}",
        ])  # fmt: skip
    worst = {name: max(getattr(t, name) for t in trials) for name, _ in COLUMNS}
    rows.append(
        ["max", *(_ms(worst[name]) for name, _ in COLUMNS), "", str(max(t.stored_late for t in trials)), ""]
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print()
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    reported, stopped = worst["acknowledged"], worst["long_stopped"]
    late = sum(t.stored_late for t in trials)
    statuses = {t.acknowledged_status for t in trials}
    print(
        f"\nBaseline: plain pdfplumber takes {page * 1000:.0f} ms for one page of the {config.pages}-page "
        f"document (median of {len(pages)}; max {max(pages) * 1000:.0f} ms): extraction stops between pages."
    )
    reported_ok = reported < TARGET_SECONDS and statuses == {"cancelled"}
    print(f"Run reported cancelled (answer: {', '.join(sorted(statuses))}), max {_ms(reported)}: "
          f"< {TARGET_SECONDS:.0f} s {verdict(reported_ok)}")  # fmt: skip
    print(f"Extraction stopped (long document closed), max {_ms(stopped)}: "
          f"< {TARGET_SECONDS:.0f} s {verdict(stopped < TARGET_SECONDS)}; "
          f"ratio to one page {stopped / page:.1f}")  # fmt: skip
    print(f"All extraction of the run ended, max {_ms(worst['all_stopped'])}; ratio to one page "
          f"{worst['all_stopped'] / page:.1f}")  # fmt: skip
    print(f"Documents stored after the cancel was acknowledged: {late} {verdict(late == 0)}")
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"Machine: {os.cpu_count()} logical CPUs ({psutil.cpu_count(logical=False)} physical), load average "
        f"now {load}; {time.strftime('%Y-%m-%d %H:%M %Z')}. Headwater: SQLite, embedded broker, "
        f"{config.workers} extraction workers; run = 1 x {config.pages} pages + {config.queue} x "
        f"{config.queue_pages} pages."
    )
