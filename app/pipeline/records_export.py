"""Exporting a dataset's stored records as a stream of bytes: CSV, JSON lines or Parquet.

Records are read a page at a time (`app.storage.records.iter_record_pages`) and rendered off the
event loop with `app.records.export`, so an export of millions of records never sits in memory.
Parquet is written one row group per page into a sink that is drained after each page.
"""

import io
from collections.abc import AsyncIterator, Mapping
from itertools import islice

import anyio
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.records.export import arrow_schema, iter_csv, iter_jsonl
from app.records.values import CleanValue, CoercionError, coerce
from app.storage.records import iter_record_pages
from schemas.datasets import ExportFormat
from schemas.records import DatasetSchema

MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv",
    ExportFormat.JSONL: "application/x-ndjson",
    ExportFormat.PARQUET: "application/vnd.apache.parquet",
}


def revive(data: Mapping[str, object], schema: DatasetSchema) -> dict[str, CleanValue]:
    """A stored record in its columns' Python types (datetimes back from text); unreadable values are None.

    A value stored under an older schema that no longer reads as its column's type exports as null.
    """
    row: dict[str, CleanValue] = {}
    for column in schema.columns:
        value = data.get(column.name)
        try:
            row[column.name] = None if value is None else coerce(value, column.type)
        except CoercionError:
            row[column.name] = None
    return row


async def export_records(
    sessions: async_sessionmaker[AsyncSession],
    dataset: str,
    schema: DatasetSchema,
    fmt: ExportFormat,
    *,
    anomalous: bool | None = None,
) -> AsyncIterator[bytes]:
    """The dataset's records in `fmt`, in chunks of one page of records each."""
    async with sessions() as session:
        pages = iter_record_pages(session, dataset, anomalous=anomalous)
        if fmt is ExportFormat.PARQUET:
            async for chunk in _parquet(pages, schema):
                yield chunk
            return
        if fmt is ExportFormat.CSV:
            yield next(iter_csv([], schema))  # the header, even for an empty dataset
        async for page in pages:
            yield await anyio.to_thread.run_sync(_render_text, page, schema, fmt)


def _render_text(page: list[dict[str, object]], schema: DatasetSchema, fmt: ExportFormat) -> bytes:
    rows = [revive(data, schema) for data in page]
    if fmt is ExportFormat.CSV:
        return b"".join(islice(iter_csv(rows, schema), 1, None))  # skip the header: sent once, first
    return b"".join(iter_jsonl(rows, schema))


async def _parquet(
    pages: AsyncIterator[list[dict[str, object]]], schema: DatasetSchema
) -> AsyncIterator[bytes]:
    target = arrow_schema(schema)
    sink = _Sink()
    writer = pq.ParquetWriter(sink, target, compression="zstd")
    try:
        async for page in pages:
            table = await anyio.to_thread.run_sync(_arrow_table, page, schema, target)
            await anyio.to_thread.run_sync(writer.write_table, table)
            yield sink.take()
    finally:
        writer.close()  # writes the footer
    yield sink.take()


def _arrow_table(page: list[dict[str, object]], schema: DatasetSchema, target: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist([revive(data, schema) for data in page], schema=target)


class _Sink(io.RawIOBase):
    """A write-only file that hands over what was written since the last `take`."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []
        self._written = 0

    def writable(self) -> bool:
        """Parquet writes here."""
        return True

    def write(self, data: object) -> int:
        """Keep a copy of the bytes."""
        chunk = bytes(data)  # type: ignore[call-overload]
        self._chunks.append(chunk)
        self._written += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        """Bytes written in all (Parquet records offsets in its footer)."""
        return self._written

    def take(self) -> bytes:
        """What was written since the last call."""
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data
