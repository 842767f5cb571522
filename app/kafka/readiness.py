"""Consumer-group readiness: a stage is ready once its consumers have joined their group."""

import asyncio

from aiokafka import ConsumerRebalanceListener, TopicPartition


class _JoinListener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, joined: asyncio.Event) -> None:
        self._joined = joined

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        """Nothing to release: offsets are committed per message, after the work is durable."""

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        """A (re)join finished: the group answered, even if it gave this consumer no partition."""
        self._joined.set()


class GroupReadiness:
    """Tracks which consumer groups have completed their first join."""

    def __init__(self) -> None:
        self._joins: dict[str, asyncio.Event] = {}

    def expect(self, *names: str) -> None:
        """Declare groups that must join before the process is ready (before their consumers exist)."""
        for name in names:
            self._joins.setdefault(name, asyncio.Event())

    def listener(self, name: str) -> ConsumerRebalanceListener:
        """A rebalance listener that marks `name` joined on its first assignment."""
        event = self._joins.setdefault(name, asyncio.Event())
        return _JoinListener(event)

    def pending(self) -> list[str]:
        """Names of the groups that have not joined yet."""
        return sorted(name for name, event in self._joins.items() if not event.is_set())

    @property
    def ready(self) -> bool:
        """True when every registered group has joined."""
        return not self.pending()

    async def wait(self) -> None:
        """Wait until every registered group has joined (callers bound it with `asyncio.timeout`)."""
        await asyncio.gather(*(event.wait() for event in self._joins.values()))
