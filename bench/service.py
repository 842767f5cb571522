"""Headwater run the way a user runs it: a `headwater run` process, uploads through the API, polling."""

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.constants import (
    DOCUMENTS_API,
    POLL_SECONDS,
    REPO_ROOT,
    START_TIMEOUT_SECONDS,
    STOP_TIMEOUT_SECONDS,
    UPLOAD_CONCURRENCY,
)
from bench.sampling import Usage, UsageSampler


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
