"""Run real `headwater` processes for tests, read their output, and stop them like a user would."""

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

import psutil


@dataclass
class HeadwaterProcess:
    """A `python -m headwater ...` child process whose combined output is collected."""

    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())

    async def wait_for_line(self, text: str, timeout: float = 60) -> None:
        """Wait until the process prints a line containing `text`."""
        async with asyncio.timeout(timeout):
            while not any(text in line for line in self.lines):
                if self.process.returncode is not None:
                    raise AssertionError(f"process exited early:\n{self.output}")
                await asyncio.sleep(0.1)

    @property
    def output(self) -> str:
        """Everything printed so far."""
        return "\n".join(self.lines)

    def descendants(self) -> list[psutil.Process]:
        """Every process started by this one (e.g. the embedded broker, pool workers)."""
        with contextlib.suppress(psutil.NoSuchProcess):
            return psutil.Process(self.process.pid).children(recursive=True)
        return []

    async def interrupt(self, timeout: float = 30) -> int:
        """Press Ctrl-C (SIGINT) and wait for a clean exit; return the exit code."""
        self.process.send_signal(signal.SIGINT)
        async with asyncio.timeout(timeout):
            code = await self.process.wait()
        if self._reader is not None:
            await self._reader
        return code


@contextlib.asynccontextmanager
async def headwater(*args: str, env: Mapping[str, str]) -> AsyncIterator[HeadwaterProcess]:
    """Start `python -m headwater ARGS` with extra environment; kill it if the test leaves it running."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "headwater",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, **env},
    )
    child = HeadwaterProcess(process)
    child._reader = asyncio.create_task(child._read())
    try:
        yield child
    finally:
        if process.returncode is None:
            for descendant in child.descendants():
                with contextlib.suppress(psutil.NoSuchProcess):
                    descendant.kill()
            process.kill()
            await process.wait()
        with contextlib.suppress(asyncio.CancelledError):
            await child._reader
