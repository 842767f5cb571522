"""Publish a run's state on the progress topic, for every web process (and its WebSocket clients)."""

from faststream.kafka import KafkaBroker

from schemas.progress import RunProgressed
from schemas.runs import RunSnapshot
from schemas.topics import Topics


async def announce(broker: KafkaBroker, topics: Topics, snapshot: RunSnapshot) -> None:
    """Publish `RunProgressed` for the run (keyed by run, so its snapshots stay in order)."""
    await broker.publish(RunProgressed(run=snapshot), topics.progress, key=str(snapshot.id).encode())
