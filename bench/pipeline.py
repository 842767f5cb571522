"""Throughput, latency and memory of the whole Headwater service against plain pdfplumber in a pool.

Run `.venv/bin/python bench/pipeline.py [--docs 200] [--quick]`; it prints a table of figures and
exits 0 whatever they are. What is measured, and how: docs/BENCHMARKS.md.
"""

import argparse
import asyncio
import os
import platform
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
if REPO_ROOT.as_posix() not in sys.path:  # run as a script: `bench` and `app` come from the repo
    sys.path.insert(0, REPO_ROOT.as_posix())

from bench.baseline import BaselineRun, baseline_peak_rss, run_baseline  # noqa: E402
from bench.constants import (  # noqa: E402
    BASELINE_METHOD,
    CORPUS_DIR,
    LONG_PAGES,
    MB,
    OTHER_LOAD_WARNING,
    QUICK_LONG_PAGES,
    TARGET_LONG_MB,
    TARGET_RATIO,
)
from bench.sampling import Usage  # noqa: E402
from bench.service import HeadwaterRun, measure_headwater  # noqa: E402


@dataclass(frozen=True)
class Config:
    """What one benchmark run covers."""

    docs: int
    max_pages: int
    corpus_limit: int | None
    long_pages: int
    workers: int


@dataclass(frozen=True)
class Corpus:
    """The benchmark's input files."""

    synthetic: list[Path]
    real: list[Path]
    long_document: Path

    @property
    def files(self) -> list[Path]:
        """Synthetic and real files, in upload order."""
        return [*self.synthetic, *self.real]


@dataclass(frozen=True)
class Results:
    """Every measurement of one benchmark run."""

    config: Config
    corpus: Corpus
    base: BaselineRun
    run: HeadwaterRun
    long_base_rss: int
    long_run: HeadwaterRun


def real_corpus(limit: int | None) -> list[Path]:
    """The files in the shared corpus's OK.txt (pdfplumber reads each fully); with a limit, the smallest."""
    listing = CORPUS_DIR / "OK.txt"
    if not listing.is_file():
        return []
    names = [line.strip() for line in listing.read_text().splitlines()]
    files = [CORPUS_DIR / name for name in names if name and not name.startswith("#")]
    return files if limit is None else sorted(files, key=lambda f: (f.stat().st_size, f.name))[:limit]


def prepare_corpus(work: Path, config: Config) -> Corpus:
    """Generate the synthetic documents and the long one; check pdfplumber sees the synthetic tables."""
    # Imported here, not at the top: spawned baseline workers import this module, and fpdf2 would
    # add ~35 MB to each of them that Headwater's workers do not carry.
    from bench.synthetic import SyntheticSpec, generate_corpus, generate_long_document, table_is_detected

    synthetic = generate_corpus(
        work / "synthetic", SyntheticSpec(count=config.docs, max_pages=config.max_pages)
    )
    if synthetic and not table_is_detected(synthetic[0]):
        raise SystemExit("pdfplumber does not detect the synthetic table; fix bench/synthetic.py")
    long_document = generate_long_document(work / "long", config.long_pages)
    return Corpus(synthetic, real_corpus(config.corpus_limit), long_document)


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, round(fraction * len(values) + 0.5) - 1))]


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def _mb(value: float) -> str:
    return f"{value / MB:,.0f} MB"


def _rss_roles(usage: Usage) -> str:
    return ", ".join(f"{role} {_mb(rss)}" for role, rss in sorted(usage.rss_roles.items()))


def _cpu_roles(usage: Usage) -> str:
    return ", ".join(f"{role} {cpu:.1f}" for role, cpu in sorted(usage.cpu_roles.items()) if cpu >= 0.05)


def _failures(reasons: Counter[str]) -> str:
    return "; ".join(f"{n} x {reason}" for reason, n in reasons.most_common(5)) or "-"


def _throughput_rows(r: Results) -> list[tuple[str, str, str, str]]:
    base, run, workers = r.base, r.run, r.config.workers
    base_rate, rate = base.pages / base.seconds, run.pages / run.seconds
    ratio = rate / base_rate
    latencies = run.latencies()
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    base_use, use = base.usage.worker_utilisation(workers), run.usage.worker_utilisation(workers)
    # CPU time per page hardly depends on what else runs: the ratio a CPU-bound machine allows.
    base_cpu, cpu = base.usage.service_cpu / base.pages, run.usage.service_cpu / run.pages
    return [
        ("Files (synthetic + corpus)", f"{len(r.corpus.synthetic)} + {len(r.corpus.real)}", "same", ""),
        ("Pages extracted", f"{base.pages:,}", f"{run.pages:,}", ""),
        ("Wall time", f"{base.seconds:.1f} s", f"{run.seconds:.1f} s", ""),
        ("Throughput", f"{base_rate:.1f} pages/s", f"{rate:.1f} pages/s", ""),
        (
            "Ratio Headwater / baseline",
            "",
            f"{ratio:.2f}",
            f">= {TARGET_RATIO} {verdict(ratio >= TARGET_RATIO)}",
        ),
        ("Latency p50 / p95 (upload to final)", "", f"{p50:.1f} / {p95:.1f} s", ""),
        ("Worker utilisation (CPU / wall)", f"{base_use:.0%}", f"{use:.0%}", ""),
        ("CPU seconds by process role", _cpu_roles(base.usage), _cpu_roles(run.usage), ""),
        (
            "CPU per page (all but this script)",
            f"{base_cpu:.3f} s",
            f"{cpu:.3f} s",
            f"ratio {base_cpu / cpu:.2f}",
        ),
        ("Other load on the machine", f"{base.usage.other_load:.0%}", f"{run.usage.other_load:.0%}", ""),
    ]


def _memory_rows(r: Results) -> list[tuple[str, str, str, str]]:
    base, run, long_run, pages = r.base, r.run, r.long_run, r.config.long_pages
    worker_long = long_run.usage.worker_hwm
    long_target = (
        f"< {TARGET_LONG_MB} MB {verdict(worker_long < TARGET_LONG_MB * MB)}"
        if pages == LONG_PAGES
        else f"n/a ({pages} pages, not {LONG_PAGES})"
    )
    failed = len(run.final("failed")) + sum(1 for s in run.submissions if s.error)
    unfinished = f" (+{run.unfinished} unfinished)" if run.unfinished else ""
    return [
        ("Peak RSS, all processes (sum)", _mb(base.usage.rss_tree), _mb(run.usage.rss_tree), ""),
        ("  by role (peak of each)", _rss_roles(base.usage), _rss_roles(run.usage), ""),
        ("Peak RSS, largest worker (VmHWM)", _mb(base.usage.worker_hwm), _mb(run.usage.worker_hwm), ""),
        (f"{pages}-page doc: worker peak RSS", _mb(r.long_base_rss), _mb(worker_long), long_target),
        (f"{pages}-page doc: all processes", "", _mb(long_run.usage.rss_tree), ""),
        ("  by role (peak of each)", "", _rss_roles(long_run.usage), ""),
        (f"{pages}-page doc: upload to stored", "", f"{long_run.seconds:.1f} s", ""),
        ("Failed documents", str(sum(base.failures.values())), f"{failed}{unfinished}", ""),
        ("Headwater start-up (not timed above)", "", f"{run.startup_seconds:.1f} s", ""),
    ]


def print_report(r: Results) -> None:
    """Print the table, then the failure reasons and the machine."""
    rows = [("Figure", "Baseline", "Headwater", "Target"), *_throughput_rows(r), *_memory_rows(r)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print()
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, [*widths, 0], strict=True)).rstrip())
    print(f"\nBaseline: {BASELINE_METHOD}, ProcessPoolExecutor({r.config.workers}, spawn), warmed up.")
    print(f"Baseline failures: {_failures(r.base.failures)}")
    print(f"Headwater failures: {_failures(r.run.failures())}")
    if max(r.base.usage.other_load, r.run.usage.other_load) > OTHER_LOAD_WARNING:
        print("WARNING: other processes used the CPUs during the run; the figures are not clean.")
    print(
        f"Machine: {os.cpu_count()} logical CPUs ({psutil.cpu_count(logical=False)} physical), "
        f"{_mb(psutil.virtual_memory().total)} RAM, Python {platform.python_version()}, "
        f"{platform.platform()}; {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


def parse_config(argv: Sequence[str] | None) -> Config:
    """Command-line options to a Config."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="synthetic documents (default 200)")
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 20 short synthetic + the 20 smallest corpus files"
    )
    parser.add_argument("--long-pages", type=int, help=f"pages of the long document (default {LONG_PAGES})")
    parser.add_argument("--workers", type=int, default=2, help="extraction processes on both sides (2)")
    args = parser.parse_args(argv)
    if args.quick:
        return Config(20, 6, 20, args.long_pages or QUICK_LONG_PAGES, args.workers)
    return Config(args.docs, 20, None, args.long_pages or LONG_PAGES, args.workers)


def say(message: str) -> None:
    """A progress line on stderr (the report goes to stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(work: Path, config: Config) -> Results:
    """The baseline, then Headwater, on the same files; then the long document both ways."""
    corpus = prepare_corpus(work, config)
    say(f"corpus: {len(corpus.synthetic)} synthetic + {len(corpus.real)} real files; baseline...")
    base = run_baseline(corpus.files, config.workers)
    say(f"baseline: {base.pages} pages in {base.seconds:.1f} s; Headwater...")
    timeout = 300 + 10 * base.seconds
    run = asyncio.run(measure_headwater(corpus.files, work / "headwater", config.workers, timeout))
    say(f"Headwater: {run.pages} pages in {run.seconds:.1f} s; the {config.long_pages}-page document...")
    long_base_rss = baseline_peak_rss(corpus.long_document)
    long_run = asyncio.run(measure_headwater([corpus.long_document], work / "long", config.workers, timeout))
    return Results(config, corpus, base, run, long_base_rss, long_run)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C: Headwater and the pool are stopped


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the figures, exit 0 whatever they are (130 if interrupted)."""
    config = parse_config(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with tempfile.TemporaryDirectory(prefix="headwater-bench-") as tmp:
            results = measure(Path(tmp), config)
    except KeyboardInterrupt:
        say("interrupted; Headwater and the extraction pool were stopped")
        return 130
    print_report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
