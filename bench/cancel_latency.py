"""Cancel latency: how soon after `POST /api/v1/runs/{id}/cancel` does a run say so, and does extraction stop?

Run `.venv/bin/python bench/cancel_latency.py [--pages 300] [--repeats 3] [--quick]`. It starts a
real Headwater (`headwater run`), uploads a long synthetic PDF and a queue of shorter ones, then,
`--repeats` times: starts a Full Pipeline run over them all, waits until a worker is half-way
through the long document, cancels the run, and measures from the cancel request to the run
reported cancelled and to the extraction actually stopping; it checks that no document of the run
was stored after the cancel was acknowledged. Baseline: plain pdfplumber's time for one page of the
same PDF, the granularity at which extraction can stop. Exits 0 whatever the figures are.
"""

import argparse
import asyncio
import json
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

REPO_ROOT = Path(__file__).resolve().parent.parent
if REPO_ROOT.as_posix() not in sys.path:  # run as a script: `bench` and `app` come from the repo
    sys.path.insert(0, REPO_ROOT.as_posix())

from bench.cancel_report import Config, Trial, print_report  # noqa: E402
from bench.extraction_watch import ExtractionWatch  # noqa: E402
from bench.pipeline import say  # noqa: E402
from bench.service import Service, headwater, list_documents, upload_all, wait_until_final  # noqa: E402

RUNS_API = "/api/v1/runs"
SETTLE_TIMEOUT = 60.0
QUIET_AFTER_SECONDS = 1.5
"""Wait this long after the run settled before looking for documents stored late."""


def page_seconds(pdf: Path, pages: int) -> list[float]:
    """Plain pdfplumber: seconds per page (text and tables, page closed) for the first `pages` pages."""
    import pdfplumber

    times = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages[:pages]:
            started = time.perf_counter()
            page.extract_text()
            page.extract_tables()
            page.close()
            times.append(time.perf_counter() - started)
    return times


def _unix(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


async def _follow(socket: ClientConnection, arrivals: list[tuple[float, dict[str, Any]]]) -> None:
    """Record when each snapshot of the run arrives."""
    async for raw in socket:
        arrivals.append((time.time(), json.loads(raw)["run"]))


def _first(arrivals: list[tuple[float, dict[str, Any]]], predicate: Any) -> float | None:
    return next((at for at, run in arrivals if predicate(run)), None)


def _settled(run: dict[str, Any]) -> bool:
    counts = run["counts"]
    return (
        run["status"] == "cancelled"
        and counts["done"] + counts["failed"] + counts["skipped"] >= counts["total"]
    )


async def one_trial(
    service: Service, client: httpx.AsyncClient, watch: ExtractionWatch, doc_ids: list[str], long_id: str,
    halfway: float,
) -> Trial:  # fmt: skip
    """Start a run, cancel it half-way through the long document, and time what follows."""
    watch.reset()
    response = await client.post("/api/v1/tasks/full-pipeline/runs", json={"documents": doc_ids})
    response.raise_for_status()
    run_id = response.json()["id"]
    ws_url = service.base_url.replace("http", "ws", 1) + f"/ws/progress?run_id={run_id}"
    headers = {"Authorization": f"Bearer {service.token}"}
    arrivals: list[tuple[float, dict[str, Any]]] = []
    async with connect(ws_url, additional_headers=headers) as socket:
        follower = asyncio.create_task(_follow(socket, arrivals))
        async with asyncio.timeout(SETTLE_TIMEOUT * 5):
            while long_id not in watch.sightings().first_open:
                await asyncio.sleep(0.05)
        opened = watch.sightings().first_open[long_id]
        await asyncio.sleep(max(0.0, opened + halfway - time.time()))
        in_flight = watch.sightings().open_now
        requested = time.time()
        cancel = await client.post(f"{RUNS_API}/{run_id}/cancel")
        acknowledged = time.time()
        cancel.raise_for_status()
        async with asyncio.timeout(SETTLE_TIMEOUT):
            while not (any(_settled(run) for _, run in arrivals) and not watch.sightings().open_now):
                await asyncio.sleep(0.05)
        follower.cancel()
    await asyncio.sleep(QUIET_AFTER_SECONDS)  # anything still in flight would land now
    seen = watch.sightings()
    stored_late = [
        d["doc_id"]
        for d in await list_documents(client)
        if d["doc_id"] in doc_ids and _unix(d["updated_at"]) > acknowledged
    ]
    final = arrivals[-1][1]
    return Trial(
        in_flight=len(in_flight & set(doc_ids)),
        long_doc_in_flight=long_id in in_flight,
        acknowledged=acknowledged - requested,
        acknowledged_status=cancel.json()["status"],
        pushed=(_first(arrivals, lambda run: run["status"] == "cancelled") or float("nan")) - requested,
        settled=(_first(arrivals, _settled) or float("nan")) - requested,
        stop_flag=(seen.first_stop_flag or float("nan")) - requested,
        long_stopped=_closed_after(seen.last_open.get(long_id), requested),
        all_stopped=_closed_after(max((seen.last_open.get(d, 0.0) for d in doc_ids), default=0.0), requested),
        stored_late=len(stored_late),
        counts=final["counts"],
    )


def _closed_after(last_open: float | None, requested: float) -> float:
    """Seconds from the cancel request to the first poll that saw the file closed (poll interval 10 ms)."""
    if last_open is None or last_open < requested:
        return 0.0
    return last_open - requested + 0.01


async def measure_headwater(data_dir: Path, config: Config, files: list[Path], long_doc: Path) -> list[Trial]:
    """Upload everything once (the live run), then run and cancel `repeats` times."""
    async with headwater(data_dir, config.workers) as service:
        auth = {"Authorization": f"Bearer {service.token}"}
        async with httpx.AsyncClient(base_url=service.base_url, timeout=120, headers=auth) as client:
            say(f"Headwater up in {service.startup_seconds:.1f} s; uploading {len(files)} documents...")
            submissions = await upload_all(client, files)
            doc_ids = sorted({s.doc_id for s in submissions if s.doc_id})
            long_id = next(s.doc_id for s in submissions if s.path == long_doc and s.doc_id)
            await wait_until_final(client, len(doc_ids), timeout=1800)
            detail = (await client.get(f"/api/v1/documents/{long_id}")).json()
            extract = next(s for s in detail["stages"] if s["stage"] == "extract")
            duration = _unix(extract["finished_at"]) - _unix(extract["started_at"])
            say(f"stored; the long document took {duration:.1f} s to extract. Cancelling runs...")
            trials = []
            with ExtractionWatch(service.process.pid, data_dir) as watch:
                for number in range(1, config.repeats + 1):
                    trial = await one_trial(service, client, watch, doc_ids, long_id, duration / 2)
                    say(f"trial {number}: acknowledged {trial.acknowledged:.3f} s, long document "
                        f"stopped {trial.long_stopped:.3f} s after the cancel request")  # fmt: skip
                    trials.append(trial)
    return trials


def parse_config(argv: Sequence[str] | None) -> Config:
    """Command-line options to a Config."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pages", type=int, default=300, help="pages of the long document (300)")
    parser.add_argument("--queue", type=int, default=20, help="further documents in the run (20)")
    parser.add_argument("--queue-pages", type=int, default=8, help="pages of each further document (8)")
    parser.add_argument("--repeats", type=int, default=3, help="runs started and cancelled (3)")
    parser.add_argument("--workers", type=int, default=2, help="Headwater's extraction processes (2)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 60 pages, 6 further documents, once")
    args = parser.parse_args(argv)
    if args.quick:
        return Config(60, 6, 4, 1, args.workers)
    return Config(args.pages, args.queue, args.queue_pages, args.repeats, args.workers)


def measure(work: Path, config: Config) -> tuple[list[Trial], list[float]]:
    """Generate the documents, time plain pdfplumber per page, then Headwater."""
    from bench.synthetic import SyntheticSpec, generate_corpus, generate_long_document

    long_doc = generate_long_document(work / "long", config.pages)
    queue = generate_corpus(
        work / "queue",
        SyntheticSpec(count=config.queue, min_pages=config.queue_pages, max_pages=config.queue_pages),
    )
    say(f"baseline: plain pdfplumber, page by page, over the {config.pages}-page document...")
    pages = page_seconds(long_doc, config.pages)
    say(f"baseline: median {statistics.median(pages) * 1000:.0f} ms a page; Headwater...")
    trials = asyncio.run(measure_headwater(work / "headwater", config, [long_doc, *queue], long_doc))
    return trials, pages


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C


def main(argv: Sequence[str] | None = None) -> int:
    """Measure, print the figures, exit 0 whatever they are (130 if interrupted)."""
    config = parse_config(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with tempfile.TemporaryDirectory(prefix="headwater-cancel-") as tmp:
            trials, pages = measure(Path(tmp), config)
    except KeyboardInterrupt:
        say("interrupted; Headwater was stopped")
        return 130
    print_report(config, trials, pages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
