"""Background upkeep: a coroutine run every few seconds while a block runs."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)


@contextlib.asynccontextmanager
async def every(interval: float, work: Callable[[], Awaitable[object]], what: str) -> AsyncIterator[None]:
    """Run `work` now and every `interval` seconds until the block ends; a failure waits for the next turn."""

    async def forever() -> None:
        while True:
            try:
                await work()
            except Exception as exc:  # the next turn tries again
                log.warning(f"{what} failed", error=repr(exc))
            await asyncio.sleep(interval)

    task = asyncio.create_task(forever())
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
