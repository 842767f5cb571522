"""Many WebSocket clients in one process, for the fan-out benchmark: each records when every message arrived.

`python -m bench.ws_clients --count 500` starts, prints `ready`, and reads one line from stdin: the
URL to connect to. It opens `--count` connections, `--batch` handshakes at a time (a thousand at once
would measure the accept queue), prints `connected <seconds>`, then reads every message until each
client has the final state (status final, every document accounted for) or `--timeout` passes.
Last it prints one JSON line: per-client message counts and whether each got the final state, and
every message's latency.

A message's latency is its receive time minus its `sent_at` (when the server sent it; one time for
all clients of one broadcast) and, as a second figure, minus the run's `updated_at` (when the state
changed). The first message of each client is the state read on connect, not a broadcast: it is
counted, but not timed. Credentials come from the environment (`HEADWATER_BENCH_TOKEN`), not argv.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TOKEN_VARIABLE = "HEADWATER_BENCH_TOKEN"
FINAL_STATUSES = {"completed", "failed", "cancelled"}
SENT_AT = re.compile(r'"sent_at":\s*"([^"]+)"')
UPDATED_AT = re.compile(r'"updated_at":\s*"([^"]+)"')
STATUS = re.compile(r'"status":\s*"([a-z]+)"')


@dataclass
class ClientLog:
    """What one client received."""

    messages: int = 0
    final: str | None = None
    """The final state it saw, as "<status> <done>/<total>"."""
    sent: list[tuple[float, float]] = field(default_factory=list)
    """(sent_at, received at) of every timed message."""
    updated_latencies: list[float] = field(default_factory=list)
    error: str | None = None


def raise_open_file_limit() -> int:
    """Raise this process's soft limit of open files to the hard limit (a socket is a file); return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def _unix(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def is_final(run: dict[str, Any]) -> bool:
    """The run ended and every document is accounted for."""
    counts = run["counts"]
    processed = counts["done"] + counts["failed"] + counts["skipped"]
    return run["status"] in FINAL_STATUSES and processed >= counts["total"]


async def receive(socket: ClientConnection, log: ClientLog) -> None:
    """Read messages until the final state; time each one against the clock of this machine.

    A thousand clients on two cores spend most of their time reading: each message is searched for
    its two times and its status, and parsed as JSON only when the status is final.
    """
    async for raw in socket:
        received_at = time.time()
        text = raw if isinstance(raw, str) else raw.decode()
        if log.messages > 0:  # the first is the state read on connect, not a broadcast
            if sent := SENT_AT.search(text):
                log.sent.append((_unix(sent[1]), received_at))
            if updated := UPDATED_AT.search(text):
                log.updated_latencies.append(received_at - _unix(updated[1]))
        log.messages += 1
        status = STATUS.search(text)
        if status and status[1] in FINAL_STATUSES and is_final(run := json.loads(text)["run"]):
            counts = run["counts"]
            log.final = f"{run['status']} {counts['done']}/{counts['total']}"
            return


async def open_clients(url: str, count: int, batch: int, headers: dict[str, str]) -> list[ClientConnection]:
    """`count` connections, `batch` handshakes at a time."""
    sockets: list[ClientConnection] = []
    for start in range(0, count, batch):
        size = min(batch, count - start)
        sockets += await asyncio.gather(
            *(connect(url, additional_headers=headers, open_timeout=120, max_queue=None) for _ in range(size))
        )
    return sockets


async def follow(url: str, count: int, batch: int, timeout: float, headers: dict[str, str]) -> dict[str, Any]:
    """Connect every client, read until each has the final state (or time is up); summarise."""
    started = time.perf_counter()
    sockets = await open_clients(url, count, batch, headers)
    print(f"connected {time.perf_counter() - started:.3f}", flush=True)
    logs = [ClientLog() for _ in sockets]

    async def one(socket: ClientConnection, log: ClientLog) -> None:
        try:
            async with asyncio.timeout(timeout):
                await receive(socket, log)
        except (TimeoutError, ConnectionClosed, OSError) as exc:
            log.error = f"{type(exc).__name__}: {exc}"[:200]
        finally:
            with contextlib.suppress(ConnectionClosed, OSError):
                await socket.close()

    await asyncio.gather(*(one(socket, log) for socket, log in zip(sockets, logs, strict=True)))
    return {
        "messages": [log.messages for log in logs],
        "finals": [log.final for log in logs],
        "errors": sorted({log.error for log in logs if log.error}),
        "sent": [(round(sent, 4), round(received - sent, 5)) for log in logs for sent, received in log.sent],
        "updated_latencies": [round(x, 6) for log in logs for x in log.updated_latencies],
    }


async def main(argv: list[str] | None = None) -> None:
    """Announce readiness, take the URL from stdin, follow, print the summary as JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, required=True, help="connections in this process")
    parser.add_argument("--batch", type=int, default=50, help="handshakes in flight at once")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the final state")
    args = parser.parse_args(argv)
    raise_open_file_limit()
    print("ready", flush=True)
    url = (await asyncio.to_thread(sys.stdin.readline)).strip()
    token = os.environ.get(TOKEN_VARIABLE)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    summary = await follow(url, args.count, args.batch, args.timeout, headers)
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    try:
        import uvloop  # uvicorn's optional loop, installed with Headwater: cheaper reads for both sides
    except ImportError:
        asyncio.run(main())
    else:
        uvloop.run(main())
