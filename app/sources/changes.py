"""What is new in a source, given what the last fetches remembered: pure functions, no I/O.

A folder file is looked at again only when its size or modification time changed; a URL is asked for
with the validators it last answered (ETag, Last-Modified), so an unchanged file costs a 304. Either
way, content whose sha256 was fetched before, or is already a document, is no new work.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class ItemState:
    """What the last fetch of one item (a folder file or a URL) saw."""

    locator: str
    """The file's path relative to the folder, or the URL."""
    sha256: str | None = None
    size_bytes: int | None = None
    mtime_ns: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class FileStat:
    """A file found in a folder source."""

    locator: str
    """Its path relative to the folder, with `/` separators."""
    size_bytes: int
    mtime_ns: int


def changed_files(files: Iterable[FileStat], known: Mapping[str, ItemState]) -> list[FileStat]:
    """Files never fetched, or whose size or modification time differ from the last fetch."""
    changed = []
    for file in files:
        state = known.get(file.locator)
        if (
            state is None
            or state.sha256 is None
            or state.size_bytes != file.size_bytes
            or state.mtime_ns != file.mtime_ns
        ):
            changed.append(file)
    return changed


def conditional_headers(state: ItemState | None) -> dict[str, str]:
    """The headers asking a server for a URL only if it changed since the last successful fetch."""
    if state is None or state.sha256 is None:
        return {}
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def is_new_content(sha256: str, state: ItemState | None, documents: Collection[str]) -> bool:
    """Whether fetched bytes are new work: neither what this item had last time nor a known document."""
    if state is not None and state.sha256 == sha256:
        return False
    return sha256 not in documents
