"""Throughput, latency and memory of the whole Headwater service against plain pdfplumber in a pool.

Run `.venv/bin/python bench/pipeline.py [--docs 200] [--quick]`; it prints a table of figures and
exits 0 whatever they are. What is measured, and how: docs/BENCHMARKS.md.
"""

import argparse
import asyncio
import contextlib
import logging
import multiprocessing
import os
import platform
import signal
import socket
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
if REPO_ROOT.as_posix() not in sys.path:  # run as a script: `bench` and `app` come from the repo
    sys.path.insert(0, REPO_ROOT.as_posix())

from app.pdf.extract import extract_pdf  # noqa: E402

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


# --- memory and CPU sampling ---------------------------------------------------------------------------


@dataclass
class Usage:
    """What a process tree used while sampled: peak RSS, CPU seconds, and the machine's other load."""

    rss_tree: int = 0
    rss_roles: dict[str, int] = field(default_factory=dict)
    worker_hwm: int = 0
    """The largest extraction worker's own peak RSS (the kernel's VmHWM: exact, not sampled)."""
    cpu_roles: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    other_cpu: float = 0.0
    """CPU seconds used meanwhile by processes outside the tree and this script (e.g. other jobs)."""

    def worker_utilisation(self, workers: int) -> float:
        """Worker CPU time over the worker time available (1.0 = never idle, never starved)."""
        return self.cpu_roles["worker"] / (workers * self.seconds) if self.seconds else float("nan")

    @property
    def service_cpu(self) -> float:
        """CPU seconds of the measured processes, this script excluded."""
        return sum(cpu for role, cpu in self.cpu_roles.items() if role != "bench")

    @property
    def other_load(self) -> float:
        """Share of the machine's CPUs that other processes used."""
        return self.other_cpu / (self.seconds * (os.cpu_count() or 1)) if self.seconds else float("nan")


def _role(process: psutil.Process, root_pid: int) -> str:
    if process.pid == os.getpid():
        return "bench"
    if process.pid == root_pid:
        return "main"
    command = " ".join(process.cmdline())
    if "spawn_main" in command:
        return "worker"
    return "broker" if "tansu" in command else "other"


def _high_water_mark(pid: int) -> int:
    """VmHWM of a live process, in bytes (0 if it is gone)."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def _busy_cpu_seconds() -> float:
    times = psutil.cpu_times()
    return float(times.user + times.nice + times.system + times.irq + times.softirq)


class UsageSampler:
    """Sample a process tree (and this script) every 100 ms in a thread, for a `with` block.

    RSS sums of several processes count shared pages more than once: an upper bound.
    """

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self.usage = Usage()
        self._roles: dict[int, str] = {}
        self._cpu_first: dict[int, float] = {}
        self._cpu_last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0
        self._busy_at_start = 0.0

    def __enter__(self) -> Usage:
        self._started = time.perf_counter()
        self._busy_at_start = _busy_cpu_seconds()
        self._thread.start()
        return self.usage

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        usage = self.usage
        usage.seconds = time.perf_counter() - self._started
        for pid, last in self._cpu_last.items():
            usage.cpu_roles[self._roles[pid]] += last - self._cpu_first[pid]
        own = sum(usage.cpu_roles.values())
        usage.other_cpu = max(0.0, _busy_cpu_seconds() - self._busy_at_start - own)

    def _run(self) -> None:
        self._sample()
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def _processes(self) -> list[psutil.Process]:
        with contextlib.suppress(psutil.NoSuchProcess):
            root = psutil.Process(self.root_pid)
            tree = [root, *root.children(recursive=True)]
            return tree if self.root_pid == os.getpid() else [*tree, psutil.Process()]
        return [psutil.Process()]

    def _sample(self) -> None:
        rss: Counter[str] = Counter()
        for process in self._processes():
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                role = self._roles.setdefault(process.pid, _role(process, self.root_pid))
                cpu = process.cpu_times()
                self._cpu_first.setdefault(process.pid, cpu.user + cpu.system)
                self._cpu_last[process.pid] = cpu.user + cpu.system
                if role != "bench":
                    rss[role] += process.memory_info().rss
                if role == "worker":
                    self.usage.worker_hwm = max(self.usage.worker_hwm, _high_water_mark(process.pid))
        usage = self.usage
        usage.rss_tree = max(usage.rss_tree, sum(rss.values()))
        for role, value in rss.items():
            usage.rss_roles[role] = max(usage.rss_roles.get(role, 0), value)


# --- the baseline: pdfplumber in a process pool --------------------------------------------------


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
    return pages, _high_water_mark(os.getpid())


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


# --- Headwater, run the way a user runs it -------------------------------------------------------


@dataclass
class Service:
    """A running `python -m headwater run`."""

    process: asyncio.subprocess.Process
    base_url: str
    output: deque[str]
    startup_seconds: float = 0.0
    token: str = ""
    """An admin API token, made with `headwater tokens create` once the service is up."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _collect(process: asyncio.subprocess.Process, output: deque[str], ready: asyncio.Event) -> None:
    assert process.stdout is not None
    async for raw in process.stdout:
        line = raw.decode(errors="replace").rstrip()
        output.append(line)
        if line.startswith("Ready."):
            ready.set()


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Ctrl-C (SIGINT) and wait; if it does not exit in time, kill it and everything it started."""
    if process.returncode is not None:
        return
    descendants: list[psutil.Process] = []
    with contextlib.suppress(psutil.NoSuchProcess):
        descendants = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGINT)
    try:
        async with asyncio.timeout(STOP_TIMEOUT_SECONDS):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()
    for child in descendants:  # pool workers or the broker, if a kill left them behind
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def _environment(data_dir: Path, http_port: int, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HEADWATER_")}
    return env | {
        "HEADWATER_DATA_DIR": data_dir.as_posix(),
        "HEADWATER_HTTP_PORT": str(http_port),
        "HEADWATER_EMBEDDED_KAFKA_PORT": str(_free_port()),
        "HEADWATER_EXTRACT_WORKERS": str(workers),
    }


@contextlib.asynccontextmanager
async def headwater(data_dir: Path, workers: int) -> AsyncIterator[Service]:
    """Start Headwater on free ports with a fresh data dir; yield once it printed "Ready."."""
    port = _free_port()
    started = time.perf_counter()
    env = _environment(data_dir, port, workers)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "headwater", "run", cwd=REPO_ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    service = Service(process, f"http://127.0.0.1:{port}", deque(maxlen=200))
    ready = asyncio.Event()
    reader = asyncio.create_task(_collect(process, service.output, ready))
    waiter = asyncio.create_task(ready.wait())
    try:
        await asyncio.wait({waiter, reader}, timeout=START_TIMEOUT_SECONDS, return_when="FIRST_COMPLETED")
        if not ready.is_set():
            tail = "\n".join(service.output)
            raise RuntimeError(f"Headwater did not print 'Ready.'; its output ends:\n{tail}")
        service.startup_seconds = time.perf_counter() - started
        service.token = await _create_token(env)
        yield service
    finally:
        waiter.cancel()
        await _stop(process)
        await asyncio.gather(reader, return_exceptions=True)


async def _create_token(env: dict[str, str]) -> str:
    """An admin API token for the Headwater using `env`'s data dir (the API needs one)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "headwater", "tokens", "create", "--user", "admin", "--name", "bench",
        cwd=REPO_ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"headwater tokens create failed: {err.decode()}")
    return out.decode().strip()


@dataclass(frozen=True)
class Submission:
    """One upload: when it was sent, and the document id it was given."""

    path: Path
    submitted_at: float
    doc_id: str | None
    error: str | None = None


async def _upload(client: httpx.AsyncClient, path: Path) -> Submission:
    content = path.read_bytes()
    submitted_at = time.time()
    try:
        response = await client.post(
            f"{DOCUMENTS_API}/", files={"file": (path.name, content, "application/pdf")}
        )
        response.raise_for_status()
    except httpx.HTTPError as exc:
        return Submission(path, submitted_at, None, f"upload failed: {exc}"[:120])
    return Submission(path, submitted_at, response.json()["doc_id"])


async def upload_all(client: httpx.AsyncClient, files: Sequence[Path]) -> list[Submission]:
    """Upload every file, a few at a time, recording when each was sent."""
    gate = asyncio.Semaphore(UPLOAD_CONCURRENCY)

    async def one(path: Path) -> Submission:
        async with gate:
            return await _upload(client, path)

    return list(await asyncio.gather(*(one(path) for path in files)))


async def _count(client: httpx.AsyncClient, status: str) -> int:
    response = await client.get(DOCUMENTS_API, params={"status": status, "limit": 1})
    response.raise_for_status()
    return int(response.json()["total"])


async def list_documents(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every document, 500 per request."""
    items: list[dict[str, Any]] = []
    while True:
        response = await client.get(DOCUMENTS_API, params={"limit": 500, "offset": len(items)})
        response.raise_for_status()
        page = response.json()
        items += page["items"]
        if not page["items"] or len(items) >= page["total"]:
            return items


async def wait_until_final(client: httpx.AsyncClient, expected: int, timeout: float) -> list[dict[str, Any]]:
    """Poll two cheap counts until `expected` documents are stored or failed; then list them all.

    Completion times come from each document's `updated_at`, so polling only has to notice the end.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await _count(client, "stored") + await _count(client, "failed") >= expected:
            break
        await asyncio.sleep(POLL_SECONDS)
    return await list_documents(client)


@dataclass(frozen=True)
class HeadwaterRun:
    """What one Headwater run over a set of files showed."""

    submissions: list[Submission]
    documents: list[dict[str, Any]]
    usage: Usage
    startup_seconds: float

    def final(self, status: str) -> list[dict[str, Any]]:
        """The documents that ended with `status`."""
        return [d for d in self.documents if d["status"] == status]

    @property
    def pages(self) -> int:
        """Pages of every stored document."""
        return sum(d["page_count"] or 0 for d in self.final("stored"))

    def completions(self) -> dict[str, float]:
        """Each finished document's completion time (its `updated_at`) as a Unix time."""
        finished = [*self.final("stored"), *self.final("failed")]
        return {d["doc_id"]: datetime.fromisoformat(d["updated_at"]).timestamp() for d in finished}

    def latencies(self) -> list[float]:
        """Seconds from sending each upload to its document being stored or failed, sorted."""
        sent = {s.doc_id: s.submitted_at for s in self.submissions if s.doc_id}
        return sorted(done - sent[doc_id] for doc_id, done in self.completions().items() if doc_id in sent)

    @property
    def seconds(self) -> float:
        """First upload sent to last document finished."""
        done = self.completions().values()
        return max(done) - min(s.submitted_at for s in self.submissions) if done else float("nan")

    @property
    def unfinished(self) -> int:
        """Documents still neither stored nor failed when waiting gave up."""
        return len({s.doc_id for s in self.submissions if s.doc_id} - set(self.completions()))

    def failures(self) -> Counter[str]:
        """Failed uploads and failed documents, by reason."""
        reasons = Counter(s.error for s in self.submissions if s.error)
        reasons.update((d["error"] or "no reason given")[:120] for d in self.final("failed"))
        return reasons


async def measure_headwater(
    files: Sequence[Path], data_dir: Path, workers: int, timeout: float
) -> HeadwaterRun:
    """Start a fresh Headwater, upload `files`, wait until each is stored or failed; sample it throughout."""
    async with headwater(data_dir, workers) as service:
        auth = {"Authorization": f"Bearer {service.token}"}
        async with httpx.AsyncClient(base_url=service.base_url, timeout=120, headers=auth) as client:
            with UsageSampler(service.process.pid) as usage:
                submissions = await upload_all(client, files)
                expected = len({s.doc_id for s in submissions if s.doc_id})
                documents = await wait_until_final(client, expected, timeout)
    return HeadwaterRun(submissions, documents, usage, service.startup_seconds)


# --- corpus, report, entry point ----------------------------------------------------------------


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
