"""Process lifecycle: one shutdown signal for the whole process, and uvicorn run as a task inside it."""

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Generator

import uvicorn
from litestar import Litestar

from app.net import ensure_port_free


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its own signal handling: the process-wide handler decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@contextlib.contextmanager
def shutdown_signal() -> Generator[asyncio.Event, None, None]:
    """An event set by the first SIGINT or SIGTERM (Ctrl-C); a second Ctrl-C is handled the same."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        yield stop
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


@contextlib.asynccontextmanager
async def serve_http(app: Litestar, host: str, port: int) -> AsyncIterator[str]:
    """Serve `app` on host:port for the duration of the block; yield its base URL."""
    ensure_port_free(host, port, what="the web server", setting="HEADWATER_HTTP_PORT")
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        # Progress messages are a few hundred bytes; compressing each one for every client doubled
        # the time to fan one out to 1,000 browsers (docs/BENCHMARKS.md).
        ws_per_message_deflate=False,
    )
    server = _EmbeddedServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the web server stopped while starting")
        await asyncio.sleep(0.02)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task
