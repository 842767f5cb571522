"""Content-addressed blob store: bytes are written once, named by their sha256 (the claim check)."""

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from pathlib import Path

import anyio

from schemas.base import Sha256

_CHUNK = 1024 * 1024


@dataclass(frozen=True, slots=True)
class StoredBlob:
    """A blob that is now in the store."""

    sha256: Sha256
    size_bytes: int


class BlobStore:
    """A folder of immutable files at `root/ab/cd/<sha256>`. Writes are atomic; re-writes are no-ops."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the blob named `sha256` lives (whether or not it exists)."""
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("a blob name is a lowercase sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        """True if the blob is in the store."""
        return self.path(sha256).is_file()

    def put_chunks(self, chunks: Iterable[bytes]) -> StoredBlob:
        """Stream chunks into the store, hashing as they go; never holds the whole blob in memory."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    tmp.write(chunk)
            return self._commit(Path(tmp_name), digest.hexdigest(), size)
        finally:
            Path(tmp_name).unlink(missing_ok=True)

    def put_bytes(self, data: bytes) -> StoredBlob:
        """Store bytes already in memory."""
        return self.put_chunks([data])

    def put_file(self, source: Path) -> StoredBlob:
        """Copy a file into the store."""
        with source.open("rb") as handle:
            return self.put_chunks(iter(lambda: handle.read(_CHUNK), b""))

    async def put_stream(self, chunks: AsyncIterator[bytes]) -> StoredBlob:
        """Store an async stream of chunks (an upload, a download) without blocking the event loop."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        os.close(fd)
        try:
            async with await anyio.open_file(tmp_name, "wb") as tmp:
                async for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    await tmp.write(chunk)
            return await anyio.to_thread.run_sync(self._commit, Path(tmp_name), digest.hexdigest(), size)
        finally:
            await anyio.Path(tmp_name).unlink(missing_ok=True)

    def _commit(self, tmp: Path, sha256: str, size: int) -> StoredBlob:
        final = self.path(sha256)
        if not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        return StoredBlob(sha256=sha256, size_bytes=size)
