"""A fleet of WebSocket client processes (`bench/ws_clients.py`), driven the same way for both sides."""

import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from bench.constants import REPO_ROOT
from bench.ws_clients import TOKEN_VARIABLE

STREAM_LIMIT = 1 << 28
"""A client process's summary is one JSON line of several MB (asyncio's default line limit is 64 KiB)."""


@dataclass(frozen=True)
class FleetResult:
    """What every client of a fleet received."""

    connect_seconds: float
    connected_at: float
    """When the last client was connected (Unix time)."""
    messages: list[int]
    finals: Counter[str]
    errors: list[str]
    timed: list[tuple[float, float]] = field(repr=False)
    """(sent_at, seconds from `sent_at` to arrival) of every timed message of every client."""
    updated: list[float] = field(repr=False)
    """Seconds from the run's `updated_at` to arrival, sorted."""

    @property
    def sent(self) -> list[float]:
        """Seconds from `sent_at` to arrival, sorted."""
        return sorted(latency for _, latency in self.timed)

    @property
    def steady(self) -> list[float]:
        """The same, for messages sent once every client was connected, sorted."""
        return sorted(latency for sent, latency in self.timed if sent >= self.connected_at)

    @property
    def clients(self) -> int:
        """How many clients reported."""
        return len(self.messages)

    def messages_range(self) -> str:
        """Messages per client: min / median / max."""
        if not self.messages:
            return "-"
        median = statistics.median(self.messages)
        return f"{min(self.messages)} / {median:g} / {max(self.messages)}"


class Fleet:
    """`clients` connections spread over `processes` client processes."""

    def __init__(self, clients: int, processes: int, batch: int, timeout: float, token: str = "") -> None:
        shares = [clients // processes + (1 if i < clients % processes else 0) for i in range(processes)]
        self.shares = [share for share in shares if share]
        self.batch = batch
        self.timeout = timeout
        self.token = token
        self.processes: list[asyncio.subprocess.Process] = []
        self.connect_started = self.connected_at = 0.0

    async def start(self) -> None:
        """Start the client processes and wait until each has imported its libraries."""
        env = {**os.environ, TOKEN_VARIABLE: self.token}
        batch = max(1, self.batch // len(self.shares))
        for share in self.shares:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.ws_clients", "--count", str(share), "--batch", str(batch),
                "--timeout", str(self.timeout), cwd=REPO_ROOT, env=env, limit=STREAM_LIMIT,
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            self.processes.append(process)
        for process in self.processes:
            await self._expect(process, "ready")

    async def connect(self, url: str) -> float:
        """Connect every client to `url`; the seconds until the last process had all its clients up."""
        self.connect_started = time.time()
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(f"{url}\n".encode())
            await process.stdin.drain()
        lines = [await self._expect(process, "connected") for process in self.processes]
        self.connected_at = time.time()
        return max(float(line.split()[1]) for line in lines)

    async def results(self, connect_seconds: float) -> FleetResult:
        """Wait for every client process's summary and merge them."""
        summaries = [json.loads(await self._expect(process, "{")) for process in self.processes]
        await asyncio.gather(*(process.wait() for process in self.processes))
        return FleetResult(
            connect_seconds=connect_seconds,
            connected_at=self.connected_at,
            messages=[n for summary in summaries for n in summary["messages"]],
            finals=Counter(str(final) for summary in summaries for final in summary["finals"]),
            errors=sorted({error for summary in summaries for error in summary["errors"]}),
            timed=[(sent, latency) for summary in summaries for sent, latency in summary["sent"]],
            updated=sorted(x for summary in summaries for x in summary["updated_latencies"]),
        )

    def kill(self) -> None:
        """Stop any client process still running (after an error or Ctrl-C)."""
        for process in self.processes:
            if process.returncode is None:
                process.kill()

    @staticmethod
    async def _expect(process: asyncio.subprocess.Process, prefix: str) -> str:
        assert process.stdout is not None
        line = (await process.stdout.readline()).decode().strip()
        if not line.startswith(prefix):
            raise RuntimeError(f"a client process said {line[:200]!r}, expected {prefix!r}")
        return line


def percentiles(values: Sequence[float]) -> str:
    """p50 / p95 / p99 / max of sorted seconds, in milliseconds."""
    if not values:
        return "-"
    picks = [values[min(len(values) - 1, int(q * len(values)))] for q in (0.5, 0.95, 0.99)]
    return " / ".join(f"{1000 * value:.1f}" for value in [*picks, values[-1]]) + " ms"


def p99(values: Sequence[float]) -> float:
    """The 99th percentile of sorted values (nan if none)."""
    return values[min(len(values) - 1, int(0.99 * len(values)))] if values else float("nan")


async def stop_all(fleet: Fleet, *extra: asyncio.subprocess.Process) -> None:
    """Kill a fleet and other helper processes that are still running, and reap them."""
    fleet.kill()
    for process in extra:
        if process.returncode is None:
            process.kill()
    await asyncio.gather(*(p.wait() for p in [*fleet.processes, *extra]), return_exceptions=True)
