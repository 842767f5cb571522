"""`/ws/progress`: live run progress over a WebSocket, optionally for one run (`?run_id=`).

On connect the client gets the current state from the database (one run, or every active run),
then every change as the hub delivers it: `RunProgressed` JSON, at most a few per second per run.
"""

import asyncio
import contextlib
from typing import Any
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromQuery
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.runs.snapshot import snapshot_of
from app.storage.runs import active_runs, get_run
from schemas.auth import Role
from schemas.progress import RunProgressed
from schemas.runs import RunSnapshot
from web.progress.hub import Subscription
from web.security.access import requires
from web.services import Services

RUN_NOT_FOUND = 4404


@websocket("/ws/progress", opt=requires(Role.VIEWER))
async def progress_socket(
    socket: WebSocket[Any, Any, Any], services: Services, run_id: FromQuery[UUID | None] = None
) -> None:
    """Stream run progress: the current state first, then each change, coalesced per run."""
    await socket.accept()
    with services.hub.subscribe(run_id) as subscription:
        current = await current_state(services.sessions, run_id)
        if run_id is not None and not current:
            await socket.close(code=RUN_NOT_FOUND, reason="run not found")
            return
        for snapshot in current:
            subscription.mark_sent(snapshot)
            await socket.send_text(RunProgressed(run=snapshot).model_dump_json())
        sender = asyncio.create_task(forward(socket, subscription))
        try:
            await until_disconnected(socket)
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender


async def current_state(sessions: async_sessionmaker[AsyncSession], run_id: UUID | None) -> list[RunSnapshot]:
    """The run's state (empty if unknown), or every queued and running run's."""
    async with sessions() as session:
        if run_id is not None:
            run = await get_run(session, run_id)
            return [] if run is None else [snapshot_of(run)]
        return [snapshot_of(run) for run in await active_runs(session)]


async def forward(socket: WebSocket[Any, Any, Any], subscription: Subscription) -> None:
    """Send every batch the hub delivers to this client, until it goes away."""
    with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
        while True:
            for delivery in await subscription.next_deliveries():
                await socket.send_text(delivery.text)


async def until_disconnected(socket: WebSocket[Any, Any, Any]) -> None:
    """Return when the client closes the connection (anything it sends is ignored)."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await socket.receive_data("text")
