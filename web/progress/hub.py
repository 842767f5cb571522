"""The progress hub of one web process: coalesces run snapshots and fans them out to WebSocket clients.

A run that reports a hundred documents a second reaches each client at most `1 / min_interval`
times a second (leading and trailing edge: the first change goes out at once, and the latest state
always goes out at the end of the interval, so the final state is never lost). Each client also
keeps only the newest unsent snapshot per run, so a slow client never builds a backlog.
"""

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from uuid import UUID

from schemas.progress import RunProgressed
from schemas.runs import FINAL_RUN_STATUSES, RunSnapshot

DEFAULT_MIN_INTERVAL = 0.25
"""At most four messages a second per run."""


def throttle_delay(last_sent: float | None, now: float, min_interval: float) -> float:
    """How long to wait before the next message of a run may go out (0: now)."""
    if last_sent is None:
        return 0.0
    return max(0.0, last_sent + min_interval - now)


def is_final(snapshot: RunSnapshot) -> bool:
    """A run that will not change any more: final status and every document accounted for."""
    return snapshot.status in FINAL_RUN_STATUSES and snapshot.counts.pending == 0


@dataclass(frozen=True, slots=True)
class Delivery:
    """One state of a run as the hub sends it: the snapshot, and its message encoded once for every client.

    A thousand clients cost one `RunProgressed` encoding, not a thousand, and all carry the same
    `sent_at`: the moment the hub delivered it.
    """

    snapshot: RunSnapshot
    text: str

    @classmethod
    def of(cls, snapshot: RunSnapshot) -> "Delivery":
        """The snapshot as a `RunProgressed` message sent now."""
        return cls(snapshot, RunProgressed(run=snapshot).model_dump_json())


class Subscription:
    """One client's mailbox: the newest unsent snapshot of each run it follows."""

    def __init__(self, run_id: UUID | None) -> None:
        self.run_id = run_id
        self._pending: dict[UUID, Delivery] = {}
        self._sent: dict[UUID, int] = {}
        self._ready = asyncio.Event()

    def wants(self, snapshot: RunSnapshot) -> bool:
        """Whether the client follows this run and has not seen this revision or a newer one."""
        if self.run_id is not None and snapshot.id != self.run_id:
            return False
        queued = self._pending.get(snapshot.id)
        newest = max(self._sent.get(snapshot.id, -1), queued.snapshot.revision if queued else -1)
        return snapshot.revision > newest

    def offer(self, delivery: Delivery) -> None:
        """Queue the delivery for the client, replacing an older unsent one of the same run."""
        if self.wants(delivery.snapshot):
            self._pending[delivery.snapshot.id] = delivery
            self._ready.set()

    def mark_sent(self, snapshot: RunSnapshot) -> None:
        """Record a snapshot sent outside the hub (the current state read on connect)."""
        self._sent[snapshot.id] = max(self._sent.get(snapshot.id, -1), snapshot.revision)

    async def next_batch(self) -> list[RunSnapshot]:
        """Wait for news; return the newest snapshot of every run that changed, oldest revision first."""
        return [delivery.snapshot for delivery in await self.next_deliveries()]

    async def next_deliveries(self) -> list[Delivery]:
        """Wait for news; the newest delivery of every run that changed, oldest change first."""
        await self._ready.wait()
        self._ready.clear()
        batch = sorted(self._pending.values(), key=lambda delivery: delivery.snapshot.updated_at)
        self._pending.clear()
        for delivery in batch:
            self.mark_sent(delivery.snapshot)
        return batch


class ProgressHub:
    """Receives every `RunProgressed` of the deployment and delivers it, coalesced, to subscribers."""

    def __init__(
        self, min_interval: float = DEFAULT_MIN_INTERVAL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.min_interval = min_interval
        self._clock = clock
        self._latest: dict[UUID, RunSnapshot] = {}
        self._last_sent: dict[UUID, float] = {}
        self._scheduled: dict[UUID, asyncio.TimerHandle] = {}
        self._subscriptions: set[Subscription] = set()

    def publish(self, snapshot: RunSnapshot) -> None:
        """Take a run's new state; deliver it now, or at the end of the run's interval."""
        latest = self._latest.get(snapshot.id)
        if latest is not None and latest.revision >= snapshot.revision:
            return  # late or duplicate
        self._latest[snapshot.id] = snapshot
        if snapshot.id in self._scheduled:
            return  # the scheduled delivery will send this newer state
        delay = throttle_delay(self._last_sent.get(snapshot.id), self._clock(), self.min_interval)
        if delay == 0 or is_final(snapshot):
            self._deliver(snapshot.id)
        else:
            loop = asyncio.get_running_loop()
            self._scheduled[snapshot.id] = loop.call_later(delay, self._deliver, snapshot.id)

    @contextlib.contextmanager
    def subscribe(self, run_id: UUID | None = None) -> Iterator[Subscription]:
        """Follow one run (or every run) for the duration of the block."""
        subscription = Subscription(run_id)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    def _deliver(self, run_id: UUID) -> None:
        handle = self._scheduled.pop(run_id, None)
        if handle is not None:
            handle.cancel()
        snapshot = self._latest[run_id]
        self._last_sent[run_id] = self._clock()
        delivery = Delivery.of(snapshot)
        for subscription in self._subscriptions:
            subscription.offer(delivery)
        if is_final(snapshot):  # nothing more will come: forget the run, keep the hub small
            self._latest.pop(run_id, None)
            self._last_sent.pop(run_id, None)
