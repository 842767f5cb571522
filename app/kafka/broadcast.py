"""Broadcast subscriptions (control, progress): no consumer group, so every process reads every message.

They start at once (no group join) from the latest offset. aiokafka resolves "latest" lazily, at
the first fetch; resolving it right after start closes the window in which a message published just
after start-up would be skipped.
"""

from collections.abc import Iterable
from typing import Any


async def pin_to_latest(subscribers: Iterable[Any]) -> None:
    """Resolve the starting offset of every started, group-less Kafka subscriber now."""
    for subscriber in subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if consumer is None or getattr(subscriber, "group_id", None) is not None:
            continue
        for partition in consumer.assignment():
            await consumer.position(partition)
