"""Fetch one source into the blob store: only what changed since the last fetch, every problem noted.

A harvest never raises for a bad item or an unreachable source: it returns what it fetched, the fetch
state to remember, and the problems in sentences, so one broken source never sinks the others.
"""

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import httpx

from app.blobs import BlobStore, StoredBlob
from app.sources.changes import FileStat, ItemState, changed_files
from app.sources.folder import folder_problem, scan_folder
from app.sources.http import Download, FetchFailed, FetchLimits, download, fetch_page
from app.sources.listing import file_name, listed_urls
from app.storage.tables import utcnow
from schemas.sources import SourceFields, SourceKind

HTTP_CONCURRENCY = 4
MAX_FILENAME_CHARS = 255
Stopped = Callable[[], Awaitable[bool]]


def label(name: str) -> str | None:
    """A document's file name from an item's name: printable, at most 255 characters, or None."""
    printable = "".join(ch for ch in name if ch.isprintable()).strip()
    return printable[:MAX_FILENAME_CHARS] or None


@dataclass(frozen=True, slots=True)
class Fetched:
    """Bytes fetched from one item, now in the blob store."""

    locator: str
    filename: str | None
    blob: StoredBlob
    previous: ItemState | None
    """What the last fetch of the item saw (None: never fetched)."""


@dataclass
class Harvest:
    """The outcome of fetching one source."""

    fetched: list[Fetched] = field(default_factory=list)
    states: list[ItemState] = field(default_factory=list)
    """Fetch state to remember, one per item fetched or failed."""
    problems: list[str] = field(default_factory=list)
    """One sentence per item that could not be fetched."""
    attempted: int = 0
    error: str | None = None
    """Why the source as a whole could not be fetched (folder gone, index page unreachable)."""

    @property
    def failed(self) -> bool:
        """True when nothing could be fetched at all: the source, or every item it tried, failed."""
        return self.error is not None or (self.attempted > 0 and len(self.problems) >= self.attempted)

    @property
    def summary(self) -> str | None:
        """What went wrong, in one sentence; None if nothing did."""
        if self.error is not None:
            return self.error
        if not self.problems:
            return None
        more = f"; and {len(self.problems) - 1} more" if len(self.problems) > 1 else ""
        return f"{len(self.problems)} of {self.attempted} files failed: {self.problems[0].rstrip('.')}{more}."

    def fail_item(self, known: Mapping[str, ItemState], locator: str, problem: str) -> None:
        """Note an item that could not be fetched; what its last good fetch saw is kept."""
        self.problems.append(problem)
        self.states.append(dataclasses.replace(known.get(locator) or ItemState(locator), error=problem))


async def harvest(
    source: SourceFields,
    known: Mapping[str, ItemState],
    *,
    http: httpx.AsyncClient,
    blobs: BlobStore,
    limits: FetchLimits,
    stopped: Stopped,
) -> Harvest:
    """Fetch what is new or changed in `source`, given the state its items' last fetches left."""
    if source.kind is SourceKind.FOLDER:
        assert source.path is not None
        return await _harvest_folder(Path(source.path), source, known, blobs, limits, stopped)
    if source.kind is SourceKind.HTTP:
        assert source.urls is not None
        urls = list(dict.fromkeys(str(url) for url in source.urls))
        return await _harvest_urls(urls, known, http, blobs, limits, stopped)
    assert source.url is not None
    try:
        page, final_url, media_type = await fetch_page(http, str(source.url), limits)
    except FetchFailed as exc:
        return Harvest(error=f"The index page could not be read: {exc}")
    urls = listed_urls(page, final_url, media_type, source.file_pattern)
    return await _harvest_urls(urls, known, http, blobs, limits, stopped)


async def _harvest_folder(
    root: Path,
    source: SourceFields,
    known: Mapping[str, ItemState],
    blobs: BlobStore,
    limits: FetchLimits,
    stopped: Stopped,
) -> Harvest:
    problem = await anyio.to_thread.run_sync(folder_problem, str(root))
    if problem is not None:
        return Harvest(error=problem)
    files, unreadable = await anyio.to_thread.run_sync(
        lambda: scan_folder(root, source.file_pattern, recursive=source.recursive)
    )
    result = Harvest(problems=[f"Could not read {what}" for what in unreadable])
    result.attempted = len(unreadable)
    for file in changed_files(files, known):
        if await stopped():
            break
        result.attempted += 1
        await _fetch_file(root, file, known, blobs, limits, result)
    return result


async def _fetch_file(
    root: Path,
    file: FileStat,
    known: Mapping[str, ItemState],
    blobs: BlobStore,
    limits: FetchLimits,
    into: Harvest,
) -> None:
    if file.size_bytes > limits.max_bytes:
        problem = (
            f"{file.locator} is {file.size_bytes} bytes, over the {limits.max_bytes} byte limit"
            " (HEADWATER_MAX_UPLOAD_BYTES)."
        )
        into.fail_item(known, file.locator, problem)
        return
    try:
        blob = await anyio.to_thread.run_sync(blobs.put_file, root / file.locator)
    except OSError as exc:
        into.fail_item(known, file.locator, f"{file.locator} could not be read: {exc.strerror or exc}.")
        return
    previous = known.get(file.locator)
    into.fetched.append(Fetched(file.locator, label(Path(file.locator).name), blob, previous))
    into.states.append(
        ItemState(
            locator=file.locator,
            sha256=blob.sha256,
            size_bytes=file.size_bytes,
            mtime_ns=file.mtime_ns,
            fetched_at=utcnow(),
        )
    )


async def _harvest_urls(
    urls: Sequence[str],
    known: Mapping[str, ItemState],
    http: httpx.AsyncClient,
    blobs: BlobStore,
    limits: FetchLimits,
    stopped: Stopped,
) -> Harvest:
    slots = asyncio.Semaphore(HTTP_CONCURRENCY)

    async def fetch(url: str) -> Download | FetchFailed | None:
        async with slots:
            if await stopped():
                return None
            try:
                return await download(http, url, known.get(url), blobs, limits)
            except FetchFailed as exc:
                return exc

    answers = await asyncio.gather(*(fetch(url) for url in urls))
    result = Harvest()
    for url, answer in zip(urls, answers, strict=True):  # in the source's order, whatever finished first
        previous = known.get(url)
        if answer is None:
            continue
        result.attempted += 1
        if isinstance(answer, FetchFailed):
            result.fail_item(known, url, str(answer))
        elif answer.blob is None:  # 304 Not Modified: nothing to do
            if previous is not None and previous.error is not None:
                result.states.append(dataclasses.replace(previous, error=None))
        else:
            result.fetched.append(Fetched(url, label(file_name(url)), answer.blob, previous))
            result.states.append(
                ItemState(
                    locator=url,
                    sha256=answer.blob.sha256,
                    size_bytes=answer.blob.size_bytes,
                    etag=answer.etag,
                    last_modified=answer.last_modified,
                    fetched_at=utcnow(),
                )
            )
    return result
