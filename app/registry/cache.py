"""The active models of one process: what the scorers predict with, switched without restart.

Each (kind, scope) is re-read from the registry at most every `ttl_seconds`, so an activation is
seen within seconds even by a process that missed the `ActivateModel` control command; the command
makes it immediate (`forget`). Loaded artifacts are cached by version, so switching back and forth
costs nothing after the first load. No active model, or an artifact that cannot be loaded, means
"score nothing": inputs flow on unscored and never wait or fail for lack of a model.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable

import anyio
import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.ml.artifacts import ArtifactRefused, load_model
from app.ml.model import TrainedModel
from app.storage.models import active_model
from schemas.models import ModelKind

log = structlog.get_logger(__name__)
DEFAULT_TTL_SECONDS = 2.0
MAX_LOADED = 16
Key = tuple[ModelKind, str]


class ActiveModels:
    """Answers "which model scores (kind, scope) now?" cheaply: an in-memory answer, re-read on a TTL."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        blobs: BlobStore,
        *,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._blobs = blobs
        self._ttl = ttl_seconds
        self._clock = clock
        self._checked: dict[Key, tuple[float, str | None]] = {}
        self._loaded: OrderedDict[str, TrainedModel | None] = OrderedDict()
        self._locks: dict[Key, asyncio.Lock] = {}

    def forget(self, kind: ModelKind | None = None, scope: str | None = None) -> None:
        """Re-read the registry on the next call (for one kind and scope, or for all); retry failed loads."""
        for version in [version for version, model in self._loaded.items() if model is None]:
            del self._loaded[version]
        for key in list(self._checked):
            if (kind is None or key[0] == kind) and (scope is None or key[1] == scope):
                del self._checked[key]

    async def get(self, kind: ModelKind, scope: str) -> TrainedModel | None:
        """The active model of `kind` for `scope`, or None if there is none (or it cannot be loaded)."""
        key = (kind, scope)
        async with self._locks.setdefault(key, asyncio.Lock()):
            checked = self._checked.get(key)
            if checked is None or self._clock() - checked[0] >= self._ttl:
                checked = (self._clock(), await self._active_version(key))
                self._checked[key] = checked
            version = checked[1]
            return None if version is None else self._loaded.get(version)

    async def _active_version(self, key: Key) -> str | None:
        async with self._sessions() as session:
            row = await active_model(session, *key)
        if row is None:
            return None
        if row.version not in self._loaded:
            self._remember(row.version, await self._load(row.artifact_sha256, row.version))
        self._loaded.move_to_end(row.version)
        return row.version

    async def _load(self, sha256: str, version: str) -> TrainedModel | None:
        try:
            data = await anyio.Path(self._blobs.path(sha256)).read_bytes()
            model = await anyio.to_thread.run_sync(load_model, data)
        except (OSError, ArtifactRefused) as exc:
            log.error("active model cannot be loaded; scoring without it", version=version, error=str(exc))
            return None
        log.info("model loaded", version=version, kind=model.kind)
        return model

    def _remember(self, version: str, model: TrainedModel | None) -> None:
        self._loaded[version] = model
        while len(self._loaded) > MAX_LOADED:
            self._loaded.popitem(last=False)
