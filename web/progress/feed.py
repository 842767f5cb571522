"""Feed the hub from the progress topic: a broadcast subscription (no group, from latest) per web process."""

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from litestar import Litestar

from app.kafka.broadcast import pin_to_latest
from schemas.progress import RunProgressed
from schemas.topics import Topics
from web.progress.hub import ProgressHub

FETCH_MAX_WAIT_MS = 100


def progress_feed(
    broker: KafkaBroker, topics: Topics, hub: ProgressHub
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """A Litestar lifespan hook that subscribes `hub` to the progress topic while the app runs."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        subscriber = broker.subscriber(
            topics.progress,
            # Every web process needs every snapshot; a client connecting reads the database first.
            ack_policy=AckPolicy.ACK_FIRST,
            auto_offset_reset="latest",
            # The embedded broker notices new data on a waiting fetch only within about half the wait,
            # so the wait sets how late a snapshot reaches the hub: ~125 ms p50 at Kafka's default
            # 500 ms, ~25 ms at 100 ms (measured; docs/BENCHMARKS.md). Idle fetches cost nothing.
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
            persistent=False,
            title="RunProgressed (web hub)",
        )

        @subscriber
        async def on_run_progressed(event: RunProgressed) -> None:
            """Hand a run's new state to the hub."""
            hub.publish(event.run)

        await subscriber.start()
        await pin_to_latest([subscriber])
        try:
            yield
        finally:
            await subscriber.stop()

    return lifespan
