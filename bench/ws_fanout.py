"""WebSocket fan-out: how late do 1,000 `/ws/progress` clients see a busy run's progress, and all its end?

Run `.venv/bin/python bench/ws_fanout.py [--clients 1000] [--quick]`. It starts a real Headwater
(`headwater run`: embedded broker, web server on a free port), uploads small synthetic PDFs, then
starts a Full Pipeline run over them and connects the clients (bearer token, `?run_id=`) in a few
client processes. Every client reads until the run's final state. The baseline, in the same run: a
bare `websockets` server broadcasting as many messages, at the same pace, to as many clients in the
same client processes. It prints its figures and exits 0 whatever they are. docs/BENCHMARKS.md says more.
"""

import argparse
import asyncio
import json
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

REPO_ROOT = Path(__file__).resolve().parent.parent
if REPO_ROOT.as_posix() not in sys.path:  # run as a script: `bench` and `app` come from the repo
    sys.path.insert(0, REPO_ROOT.as_posix())

from bench.pipeline import say, verdict  # noqa: E402
from bench.sampling import Usage, UsageSampler  # noqa: E402
from bench.service import headwater, upload_all, wait_until_final  # noqa: E402
from bench.ws_clients import raise_open_file_limit  # noqa: E402
from bench.ws_fleet import Fleet, FleetResult, p99, percentiles, stop_all  # noqa: E402
from web.progress.hub import DEFAULT_MIN_INTERVAL  # noqa: E402

TARGET_P99_SECONDS = 0.100
RUNS_API = "/api/v1/runs"


@dataclass(frozen=True)
class Config:
    """What one benchmark run covers."""

    clients: int
    processes: int
    batch: int
    docs: int
    workers: int
    timeout: float


@dataclass(frozen=True)
class Side:
    """One side's figures: what the clients saw, the machine meanwhile, and how many messages were sent."""

    fleet: FleetResult
    usage: Usage
    broadcasts: int
    seconds: float


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _start_run(client: httpx.AsyncClient, doc_ids: Sequence[str]) -> str:
    response = await client.post("/api/v1/tasks/full-pipeline/runs", json={"documents": list(doc_ids)})
    response.raise_for_status()
    return str(response.json()["id"])


async def measure_headwater(files: Sequence[Path], data_dir: Path, config: Config) -> tuple[Side, Any]:
    """Headwater's side; also returns the run's final `RunProgressed` message (the baseline's payload)."""
    async with headwater(data_dir, config.workers) as service:
        auth = {"Authorization": f"Bearer {service.token}"}
        async with httpx.AsyncClient(base_url=service.base_url, timeout=120, headers=auth) as client:
            say(f"Headwater up in {service.startup_seconds:.1f} s; uploading {len(files)} documents...")
            submissions = await upload_all(client, files)
            doc_ids = sorted({s.doc_id for s in submissions if s.doc_id})
            await wait_until_final(client, len(doc_ids), config.timeout)
            fleet = Fleet(config.clients, config.processes, config.batch, config.timeout, service.token)
            try:
                await fleet.start()
                say(f"stored; starting a Full Pipeline run over them, {config.clients} clients following it")
                with UsageSampler(os.getpid()) as usage:
                    run_id = await _start_run(client, doc_ids)
                    ws_url = service.base_url.replace("http", "ws", 1) + f"/ws/progress?run_id={run_id}"
                    connect_seconds = await fleet.connect(ws_url)
                    say(f"{config.clients} clients connected in {connect_seconds:.1f} s; waiting for the end")
                    result = await fleet.results(connect_seconds)
            finally:
                await stop_all(fleet)
            run = (await client.get(f"{RUNS_API}/{run_id}", params={"limit": 1})).json()["run"]
    started = _unix(run["started_at"])
    finished = _unix(run["finished_at"] or run["updated_at"])
    broadcasts = max(result.messages, default=1) - 1  # every message but the one read on connect
    side = Side(result, usage, broadcasts, finished - started)
    return side, {"schema_version": 1, "run": run, "sent_at": run["updated_at"]}


def _unix(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


async def measure_baseline(work: Path, config: Config, messages: int, seconds: float, payload: Any) -> Side:
    """A bare `websockets` broadcast server, `messages` messages over `seconds`, to the same fleet."""
    template = work / "payload.json"
    template.write_text(json.dumps(payload))
    port = _free_port()
    interval = seconds / max(1, messages)
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.ws_broadcast", "--port", str(port), "--clients", str(config.clients),
        "--messages", str(messages), "--interval", f"{interval:.6f}", "--payload", str(template),
        cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    fleet = Fleet(config.clients, config.processes, config.batch, config.timeout)
    try:
        assert server.stdout is not None
        if (await server.stdout.readline()).strip() != b"ready":
            raise RuntimeError("the baseline server did not start")
        await fleet.start()
        with UsageSampler(os.getpid()) as usage:
            connect_seconds = await fleet.connect(f"ws://127.0.0.1:{port}/ws")
            result = await fleet.results(connect_seconds)
        await server.wait()
    finally:
        await stop_all(fleet, server)
    return Side(result, usage, messages, seconds)


def _final_states(side: Side, expected: str) -> str:
    got = side.fleet.finals.get(expected, 0)
    others = ", ".join(f"{n} x {state}" for state, n in side.fleet.finals.items() if state != expected)
    return f"{got}/{side.fleet.clients}" + (f" (others: {others})" if others else "")


def print_report(config: Config, hw: Side, base: Side, docs: int) -> None:
    """The figures of both sides, the ratio, and the machine."""
    expected = f"completed {docs}/{docs}"
    ratio = p99(hw.fleet.sent) / p99(base.fleet.sent)
    steady_ratio = p99(hw.fleet.steady) / p99(base.fleet.steady)
    every_final = hw.fleet.finals.get(expected, 0) == config.clients
    rows = [
        ("Figure", "Baseline (bare websockets)", "Headwater", "Target"),
        ("Clients (client processes)", f"{base.fleet.clients} ({config.processes})",
         f"{hw.fleet.clients} ({config.processes})", ""),
        ("All clients connected in", f"{base.fleet.connect_seconds:.1f} s",
         f"{hw.fleet.connect_seconds:.1f} s", ""),
        ("Broadcasts / over", f"{base.broadcasts} / {base.seconds:.1f} s",
         f"{hw.broadcasts} / {hw.seconds:.1f} s (the run)", ""),
        ("Messages per client (min / median / max)", base.fleet.messages_range(),
         hw.fleet.messages_range(), ""),
        ("Timed messages (all clients)", f"{len(base.fleet.sent):,}", f"{len(hw.fleet.sent):,}", ""),
        ("Latency sent_at -> received, p50/p95/p99/max", percentiles(base.fleet.sent),
         percentiles(hw.fleet.sent), f"p99 < 100 ms {verdict(p99(hw.fleet.sent) < TARGET_P99_SECONDS)}"),
        ("  sent once every client was connected", percentiles(base.fleet.steady),
         percentiles(hw.fleet.steady), f"p99 < 100 ms {verdict(p99(hw.fleet.steady) < TARGET_P99_SECONDS)}"),
        ("Ratio p99 Headwater / baseline", "", f"{ratio:.2f} (connected: {steady_ratio:.2f})", ""),
        ("Run changed (updated_at) -> received", "", percentiles(hw.fleet.updated), ""),
        (f"Clients with the final state ({expected})", _final_states(base, expected),
         _final_states(hw, expected), f"all {verdict(every_final)}"),
        ("Client errors", "; ".join(base.fleet.errors) or "-", "; ".join(hw.fleet.errors) or "-", ""),
        ("Other load on the machine", f"{base.usage.other_load:.0%}", f"{hw.usage.other_load:.0%}", ""),
    ]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    print()
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, [*widths, 0], strict=True)).rstrip())
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(
        f"\nMachine: {os.cpu_count()} logical CPUs ({psutil.cpu_count(logical=False)} physical), "
        f"load average now {load}; {time.strftime('%Y-%m-%d %H:%M %Z')}. Headwater: SQLite, "
        f"embedded broker, {config.workers} extraction worker(s), {docs} one-page documents."
    )


def parse_config(argv: Sequence[str] | None) -> Config:
    """Command-line options to a Config."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000, help="WebSocket clients (1000)")
    parser.add_argument("--processes", type=int, default=2, help="client processes (2)")
    parser.add_argument("--batch", type=int, default=100, help="handshakes in flight at once (100)")
    parser.add_argument("--docs", type=int, default=300, help="one-page documents in the run (300)")
    parser.add_argument("--workers", type=int, default=2, help="Headwater's extraction processes (2)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 100 clients, 40 documents")
    args = parser.parse_args(argv)
    if args.quick:
        return Config(100, args.processes, args.batch, 40, args.workers, 300)
    return Config(args.clients, args.processes, args.batch, args.docs, args.workers, 900)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM cleans up like Ctrl-C


async def measure(work: Path, config: Config) -> tuple[Side, Side]:
    """Headwater first (it sets the number and pace of messages), then the baseline."""
    from bench.synthetic import SyntheticSpec, generate_corpus

    files = generate_corpus(work / "docs", SyntheticSpec(count=config.docs, min_pages=1, max_pages=1))
    hw, payload = await measure_headwater(files, work / "headwater", config)
    say(
        f"Headwater: {hw.broadcasts} broadcasts over {hw.seconds:.1f} s; sent_at -> received "
        f"{percentiles(hw.fleet.sent)}; final states {dict(hw.fleet.finals)}; the baseline..."
    )
    # The same number of messages, at Headwater's pace but never slower than the hub's limit of one
    # message per run every 0.25 s: a slow run on a busy machine must not make a slow baseline.
    seconds = min(hw.seconds, hw.broadcasts * DEFAULT_MIN_INTERVAL)
    base = await measure_baseline(work, config, hw.broadcasts, seconds, payload)
    return hw, base


def main(argv: Sequence[str] | None = None) -> int:
    """Measure both sides, print the figures, exit 0 whatever they are (130 if interrupted)."""
    config = parse_config(argv)
    signal.signal(signal.SIGTERM, _terminate)
    limit = raise_open_file_limit()  # inherited by Headwater and the client processes
    if limit < config.clients + 200:
        raise SystemExit(f"the open-file limit is {limit}: too low for {config.clients} clients")
    try:
        with tempfile.TemporaryDirectory(prefix="headwater-fanout-") as tmp:
            hw, base = asyncio.run(measure(Path(tmp), config))
    except KeyboardInterrupt:
        say("interrupted; Headwater and the client processes were stopped")
        return 130
    print_report(config, hw, base, config.docs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
