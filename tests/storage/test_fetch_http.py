"""Fetch New Data from HTTP sources, against a real local web server with ETag and Last-Modified.

The server logs every request, so the tests see what travelled: a second fetch of an unchanged
source gets 304s and no bodies, and a changed file is fetched again.
"""

import asyncio
import hashlib
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.runs.ledger import cancel_run
from app.storage.engine import create_sessionmaker
from app.storage.run_tables import RunRow
from app.storage.runs import active_runs as active_run_rows
from app.storage.sources import item_states
from schemas.runs import RunStatus
from tests.conftest import free_port
from tests.storage.fetching import FetchHarness, fetch_harness

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # both: test_fetch_folder.py

A, B, C = "pypdf/crazyones.pdf", "pdfplumber/hello_structure.pdf", "pdfplumber/issue-140-example.pdf"


@dataclass
class Site:
    """What the server serves, and what it was asked. `/files/*` carry validators; `/plain/*` do not."""

    files: dict[str, bytes]
    log: list[tuple[str, int, int]] = field(default_factory=list)
    """(path, status, body bytes sent) of every request."""
    changed_at: dict[str, float] = field(default_factory=dict)

    def put(self, name: str, content: bytes) -> None:
        """Serve `content` as `name` from now on, as a new version."""
        self.files[name] = content
        self.changed_at[name] = time.time()

    def since(self, mark: int) -> list[tuple[str, int, int]]:
        """Requests logged after the first `mark` ones."""
        return self.log[mark:]


def handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    """A request handler serving `site`."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """Quiet: requests are logged in `site.log`."""

        def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            site.log.append((self.path, status, len(body)))

        def do_GET(self) -> None:
            folder, _, name = self.path.lstrip("/").partition("/")
            if self.path == "/index.html":
                links = "".join(f'<li><a href="files/{n}">{n}</a></li>' for n in sorted(site.files))
                page = f'<html><a href="../">up</a><ul>{links}</ul><a href="notes.txt">notes</a></html>'
                self.answer(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})
            elif self.path == "/slow.pdf":
                time.sleep(2)
                self.answer(200, b"%PDF-1.4 too late")
            elif folder == "files" and name in site.files:
                self.file(name, validators=True)
            elif folder == "plain" and name in site.files:
                self.file(name, validators=False)
            else:
                self.answer(404, b"no such file")

        def file(self, name: str, *, validators: bool) -> None:
            body = site.files[name]
            etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
            headers = {"Content-Type": "application/pdf"}
            if validators:
                headers |= {"ETag": etag, "Last-Modified": formatdate(site.changed_at[name], usegmt=True)}
                if self.headers.get("If-None-Match") == etag:
                    self.answer(304, headers=headers)
                    return
            self.answer(200, body, headers)

    return Handler


class QuietServer(ThreadingHTTPServer):
    """A threaded server that does not wait for, or print, requests its clients gave up on."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that timed out closed the connection: expected here."""


@pytest.fixture
def site(corpus: Path) -> Site:
    """Two corpus PDFs, `a.pdf` and `b.pdf`."""
    served = Site(files={})
    served.put("a.pdf", (corpus / A).read_bytes())
    served.put("b.pdf", (corpus / B).read_bytes())
    return served


@pytest.fixture
def server(site: Site) -> Iterator[str]:
    """A local HTTP server for `site` in a thread; its base URL."""
    httpd = QuietServer(("127.0.0.1", free_port()), handler_for(site))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def active_runs(sessions: async_sessionmaker[AsyncSession]) -> list[RunRow]:
    """Queued and running runs."""
    async with sessions() as session:
        return await active_run_rows(session)


@pytest.fixture
async def harness(engine: AsyncEngine, tmp_path: Path) -> AsyncIterator[FetchHarness]:
    """Fetch New Data over the migrated database of this test."""
    async with fetch_harness(create_sessionmaker(engine), tmp_path / "data") as running:
        yield running


async def test_an_unchanged_index_is_fetched_once_then_answered_not_modified(
    harness: FetchHarness, site: Site, server: str
) -> None:
    await harness.add_source(name="reports", kind="index", url=f"{server}/index.html")

    first = await harness.run()
    assert first.total == 2
    assert sorted(e.filename or "" for e in harness.published_for(first)) == ["a.pdf", "b.pdf"]

    mark = len(site.log)
    second = await harness.run()

    assert (second.status, second.success, second.total) == (RunStatus.COMPLETED, True, 0)
    assert harness.published_for(second) == []
    files = [(path, status, sent) for path, status, sent in site.since(mark) if path.startswith("/files/")]
    assert sorted(files) == [("/files/a.pdf", 304, 0), ("/files/b.pdf", 304, 0)]


async def test_a_changed_file_is_fetched_again(
    harness: FetchHarness, site: Site, server: str, corpus: Path
) -> None:
    await harness.add_source(name="reports", kind="index", url=f"{server}/index.html")
    await harness.run()

    site.put("b.pdf", (corpus / C).read_bytes())
    mark = len(site.log)
    changed = await harness.run()

    assert changed.total == 1
    [event] = harness.published_for(changed)
    assert event.filename == "b.pdf"
    assert event.blob_sha256 == hashlib.sha256((corpus / C).read_bytes()).hexdigest()
    statuses = sorted((path, status) for path, status, _ in site.since(mark) if path.startswith("/files/"))
    assert statuses == [("/files/a.pdf", 304), ("/files/b.pdf", 200)]


async def test_a_full_answer_with_content_already_fetched_is_no_new_work(
    harness: FetchHarness, site: Site, server: str
) -> None:
    await harness.add_source(name="no validators", kind="http", urls=[f"{server}/plain/a.pdf"])
    assert (await harness.run()).total == 1

    mark = len(site.log)
    again = await harness.run()

    assert [status for _, status, _ in site.since(mark)] == [200]  # the server cannot say 304
    assert (again.status, again.total) == (RunStatus.COMPLETED, 0)


async def test_a_failing_url_or_index_is_recorded_and_does_not_sink_the_rest(
    harness: FetchHarness, server: str
) -> None:
    partial = await harness.add_source(
        name="partner", kind="http", urls=[f"{server}/files/a.pdf", f"{server}/files/gone.pdf"]
    )
    unreachable = f"http://127.0.0.1:{free_port()}/index.html"
    down = await harness.add_source(name="mirror", kind="index", url=unreachable)

    run = await harness.run()

    assert (run.status, run.total) == (RunStatus.RUNNING, 1)  # a.pdf is on its way
    missing = f"{server}/files/gone.pdf answered HTTP 404 Not Found."
    assert (await harness.source(partial)).last_error == f"1 of 2 files failed: {missing}"
    mirror_error = (await harness.source(down)).last_error or ""
    assert mirror_error.startswith(f"The index page could not be read: {unreachable} could not be fetched: ")
    assert run.message is not None
    assert f"Source 'mirror': {mirror_error}" in run.message
    assert f"Source 'partner': 1 of 2 files failed: {missing}" in run.message


async def test_a_silent_server_times_out_and_a_large_file_is_refused_with_clear_errors(
    engine: AsyncEngine, tmp_path: Path, server: str, site: Site
) -> None:
    cap = len(site.files["b.pdf"])
    async with fetch_harness(
        create_sessionmaker(engine), tmp_path / "data", max_bytes=cap, timeout_seconds=0.5
    ) as harness:
        source_id = await harness.add_source(
            name="slow", kind="http", urls=[f"{server}/slow.pdf", f"{server}/files/a.pdf"]
        )
        run = await harness.run()

    assert (run.status, run.success) == (RunStatus.FAILED, False)  # nothing could be fetched at all
    slow = f"{server}/slow.pdf did not answer within 0.5 s (HEADWATER_FETCH_TIMEOUT_SECONDS)."
    large = f"{server}/files/a.pdf is {len(site.files['a.pdf'])} bytes, over the {cap} byte limit"
    assert run.message == f"Source 'slow': 2 of 2 files failed: {slow[:-1]}; and 1 more."
    async with create_sessionmaker(engine)() as session:
        states = await item_states(session, source_id)
    assert states[f"{server}/slow.pdf"].error == slow
    assert (states[f"{server}/files/a.pdf"].error or "").startswith(large)


async def test_a_run_cancelled_during_the_fetch_registers_nothing(
    harness: FetchHarness, server: str, engine: AsyncEngine
) -> None:
    source_id = await harness.add_source(
        name="slow", kind="http", urls=[f"{server}/files/a.pdf", f"{server}/slow.pdf"]
    )
    fetching = asyncio.create_task(harness.run())
    sessions = create_sessionmaker(engine)
    async with asyncio.timeout(5):
        while not (runs := await active_runs(sessions)) or runs[0].status is not RunStatus.RUNNING:
            await asyncio.sleep(0.05)
    async with sessions.begin() as session:
        await cancel_run(session, runs[0].id, datetime.now(UTC))
    harness.launcher.gate.cancel(runs[0].id)

    run = await fetching

    assert (run.status, run.total) == (RunStatus.CANCELLED, 0)
    assert harness.published_for(run) == []
    async with sessions() as session:
        assert await item_states(session, source_id) == {}  # the next run fetches everything again
