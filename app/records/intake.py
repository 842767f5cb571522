"""Turning uploads into record batches: CSV rows into JSON records, and records into bounded batches.

A batch holds at most `MAX_RECORDS_PER_EVENT` records and, encoded, at most
`MAX_RECORD_BATCH_BYTES`, so every message stays well under Kafka's 1 MB default cap.
CSV: the first row is the header; an empty cell is a missing value; a cell beyond the header is
kept under the name `column_<n>` (1-based), so the record is rejected as having an unknown column
rather than silently losing data.
"""

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TextIO, TypeVar

from app.errors import PermanentError
from schemas.dead_letters import DeadLetterReason
from schemas.records import MAX_RECORD_BATCH_BYTES, MAX_RECORDS_PER_EVENT, JsonScalar

T = TypeVar("T")
ENVELOPE_BYTES = 1024
"""Room left in a batch for the event's other fields (dataset, run id, source...)."""
CSV_FIELD_LIMIT = 1_000_000


def encoded_size(record: Mapping[str, object]) -> int:
    """Bytes a record takes in a JSON message (compact, as pydantic writes it), plus its separator."""
    return len(json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode("utf-8")) + 1


def split_batches(
    items: Iterable[T],
    size_of: Callable[[T], int],
    *,
    max_records: int = MAX_RECORDS_PER_EVENT,
    max_bytes: int = MAX_RECORD_BATCH_BYTES,
) -> Iterator[list[T]]:
    """Consecutive batches of `items`, each within both caps; one item over the byte cap is refused."""
    budget = max_bytes - ENVELOPE_BYTES
    batch: list[T] = []
    used = 0
    for position, item in enumerate(items):
        size = size_of(item)
        if size > budget:
            raise PermanentError(
                DeadLetterReason.TOO_LARGE,
                f"Record {position} is {size:,} bytes encoded; a record must be under {budget:,} bytes.",
            )
        if batch and (len(batch) >= max_records or used + size > budget):
            yield batch
            batch, used = [], 0
        batch.append(item)
        used += size
    if batch:
        yield batch


def csv_records(text: TextIO) -> Iterator[dict[str, JsonScalar]]:
    """The records of a CSV document, keyed by its header; empty cells are None."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    reader = csv.reader(text)
    header = next(reader, None)
    if header is None:
        return
    names = [name.strip() for name in header]
    if len(set(names)) != len(names) or "" in names:
        raise PermanentError(
            DeadLetterReason.INVALID_EVENT, "The CSV header must name every column once (no blanks)."
        )
    for cells in reader:
        if not cells:
            continue  # a blank line is not a record
        record: dict[str, JsonScalar] = dict.fromkeys(names)
        for index, cell in enumerate(cells):
            name = names[index] if index < len(names) else f"column_{index + 1}"
            record[name] = cell if cell != "" else None
        yield record
