"""Records intake: JSON records or a CSV upload for a dataset, published to ingest.records in batches.

Batches are bounded in records and bytes (`app.records.intake`) and keyed by dataset, so one
dataset's batches stay in order through every stage. Validation is the pipeline's job: a bad record
becomes a dead letter there, exactly as for records published by upstream systems.
"""

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO

import anyio
from faststream.kafka import KafkaBroker

from app.errors import PermanentError
from app.records.intake import csv_records, encoded_size, split_batches
from schemas.datasets import RecordsAccepted
from schemas.dead_letters import DeadLetterReason
from schemas.records import JsonScalar, RecordsSubmitted
from schemas.topics import Topics

Record = dict[str, JsonScalar]


@dataclass(frozen=True, slots=True)
class RecordIntake:
    """Publishes records submitted through the API."""

    broker: KafkaBroker
    topics: Topics

    async def submit(self, dataset: str, records: Sequence[Record], *, source: str) -> RecordsAccepted:
        """Publish JSON records; a record too large for any batch refuses the request before publishing."""
        batches = list(split_batches(records, encoded_size))
        for batch in batches:
            await self._publish(dataset, batch, source)
        return RecordsAccepted(dataset=dataset, records=len(records), batches=len(batches))

    async def submit_csv(self, dataset: str, file: IO[bytes], *, source: str) -> RecordsAccepted:
        """Publish the rows of a CSV file (UTF-8, header first), read and batched off the event loop."""
        batches = _csv_batches(file)
        records = published = 0
        while (batch := await anyio.to_thread.run_sync(next, batches, None)) is not None:
            await self._publish(dataset, batch, source)
            records, published = records + len(batch), published + 1
        return RecordsAccepted(dataset=dataset, records=records, batches=published)

    async def _publish(self, dataset: str, batch: list[Record], source: str) -> None:
        event = RecordsSubmitted(dataset=dataset, records=batch, source=source)
        await self.broker.publish(event, self.topics.ingest_records, key=dataset.encode())


def _csv_batches(file: IO[bytes]) -> Iterator[list[Record]]:
    """Batches of a CSV file's records; a file that is not UTF-8 CSV is refused (422)."""
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        yield from split_batches(csv_records(text), encoded_size)
    except UnicodeDecodeError as exc:
        raise PermanentError(
            DeadLetterReason.INVALID_EVENT, f"The CSV is not UTF-8 text: {exc.reason}."
        ) from exc
    except csv.Error as exc:
        raise PermanentError(DeadLetterReason.INVALID_EVENT, f"The CSV cannot be read: {exc}.") from exc
    finally:
        text.detach()  # the upload owns the file and closes it
