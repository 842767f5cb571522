"""The fan-out benchmark's baseline: a bare `websockets` server broadcasting run snapshots to every client.

`python -m bench.ws_broadcast --port P --clients N --messages M --interval S --payload FILE` serves
any path on 127.0.0.1:P without authentication. Like `/ws/progress`, it sends each client the
current state when it connects. Once N clients are connected it broadcasts M messages, one every S
seconds, the last one final (status completed, every document done): the payload is a real
`RunProgressed` message of Headwater (FILE), with its counts, `updated_at` and `sent_at` set for
each broadcast. Each message is encoded once and handed to `websockets.broadcast`, the library's
own fan-out (a synchronous write to every connection, no per-client task). It exits when every
client has gone, or after `--linger` seconds.
"""

import argparse
import asyncio
import contextlib
import copy
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

from bench.ws_clients import raise_open_file_limit


def state(template: dict[str, Any], done: int, final: bool) -> str:
    """The template's run with `done` documents done, sent now."""
    message = copy.deepcopy(template)
    now = datetime.now(UTC).isoformat()
    run = message["run"]
    total = run["counts"]["total"]
    run["counts"] = {"total": total, "done": done, "failed": 0, "skipped": 0}
    run["status"] = "completed" if final else "running"
    run["revision"] += done + int(final)
    run["updated_at"] = now
    message["sent_at"] = now
    return json.dumps(message, separators=(",", ":"))  # compact, as pydantic writes it


async def broadcast_run(args: argparse.Namespace) -> None:
    """Serve; once every client is connected, broadcast the run's progress at the given pace."""
    template = json.loads(Path(args.payload).read_text())
    total = template["run"]["counts"]["total"]
    clients: set[ServerConnection] = set()
    everyone, nobody = asyncio.Event(), asyncio.Event()

    async def handler(connection: ServerConnection) -> None:
        await connection.send(state(template, 0, final=False))
        clients.add(connection)
        if len(clients) >= args.clients:
            everyone.set()
        try:
            await connection.wait_closed()
        finally:
            clients.discard(connection)
            if everyone.is_set() and not clients:
                nobody.set()

    # No permessage-deflate, as Headwater's server (headwater/serve.py): the same work on both sides.
    async with serve(handler, "127.0.0.1", args.port, backlog=2048, max_queue=None, compression=None):
        print("ready", flush=True)
        await everyone.wait()
        started = time.perf_counter()
        for number in range(1, args.messages + 1):
            await asyncio.sleep(max(0.0, started + number * args.interval - time.perf_counter()))
            final = number == args.messages
            done = total if final else total * number // args.messages
            broadcast(clients, state(template, done, final))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(args.linger):
                await nobody.wait()


def main() -> None:
    """Parse the options and serve."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", type=int, required=True, help="broadcast once this many are connected")
    parser.add_argument("--messages", type=int, required=True)
    parser.add_argument("--interval", type=float, required=True, help="seconds between broadcasts")
    parser.add_argument("--payload", required=True, help="a RunProgressed message as JSON")
    parser.add_argument("--linger", type=float, default=60, help="seconds to wait for clients to leave")
    args = parser.parse_args()
    raise_open_file_limit()
    asyncio.run(broadcast_run(args))


if __name__ == "__main__":
    main()
