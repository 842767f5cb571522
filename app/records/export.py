"""Exporting clean records for BI tools: CSV, JSON lines and Parquet, columns in schema order.

- CSV: UTF-8, header first; null is an empty cell, booleans `true`/`false`, datetimes ISO 8601.
  A text cell (or column name) a spreadsheet would run as a formula gets a leading `'`
  (OWASP "CSV injection"); numbers are never altered, so `-5` stays a number.
- JSON lines: one object per record, ASCII-only (`\\u` escapes), so no reader can split a
  record at a Unicode line separator; datetimes ISO 8601.
- Parquet: typed columns (string, int64, float64, bool, timestamp[us, UTC]); optional columns
  are nullable.
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq

from app.records.values import CleanValue
from schemas.records import ColumnType, DatasetSchema

# Spreadsheets run a cell starting with one of these as a formula; a leading single quote makes
# Excel and LibreOffice show it as text (same rule as the document tables' CSV download).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ARROW_TYPES = {
    ColumnType.STRING: pa.string(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.BOOLEAN: pa.bool_(),
    ColumnType.DATETIME: pa.timestamp("us", tz="UTC"),
}


def neutralise_formula(text: str) -> str:
    """Prefix text a spreadsheet would run as a formula with a single quote."""
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def iter_csv(rows: Iterable[Mapping[str, CleanValue]], schema: DatasetSchema) -> Iterator[bytes]:
    """CSV in chunks of one line each (header first), for streaming a large export."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    names = [column.name for column in schema.columns]
    writer.writerow([neutralise_formula(name) for name in names])
    yield _drain(buffer)
    for row in rows:
        writer.writerow([_csv_cell(row.get(name)) for name in names])
        yield _drain(buffer)


def to_csv(rows: Iterable[Mapping[str, CleanValue]], schema: DatasetSchema) -> bytes:
    """The records as one CSV document (UTF-8)."""
    return b"".join(iter_csv(rows, schema))


def iter_jsonl(rows: Iterable[Mapping[str, CleanValue]], schema: DatasetSchema) -> Iterator[bytes]:
    """JSON lines, one encoded line per record, for streaming a large export."""
    names = [column.name for column in schema.columns]
    for row in rows:
        record = {name: _json_value(row.get(name)) for name in names}
        yield json.dumps(record, ensure_ascii=True, allow_nan=False).encode("ascii") + b"\n"


def to_jsonl(rows: Iterable[Mapping[str, CleanValue]], schema: DatasetSchema) -> bytes:
    """The records as one JSON lines document."""
    return b"".join(iter_jsonl(rows, schema))


def arrow_schema(schema: DatasetSchema) -> pa.Schema:
    """The Arrow schema of a dataset: one typed field per column, nullable unless required."""
    return pa.schema(
        [pa.field(c.name, _ARROW_TYPES[c.type], nullable=not c.required) for c in schema.columns]
    )


def to_parquet(rows: Iterable[Mapping[str, CleanValue]], schema: DatasetSchema) -> bytes:
    """The records as one Parquet file (zstd-compressed)."""
    target = arrow_schema(schema)
    names = target.names
    table = pa.Table.from_pylist([{name: row.get(name) for name in names} for row in rows], schema=target)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _csv_cell(value: CleanValue) -> str:
    """One CSV cell: text is formula-neutralised; other values are written as their JSON text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_formula(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return json.dumps(value)


def _json_value(value: CleanValue) -> str | int | float | bool | None:
    return value.isoformat() if isinstance(value, datetime) else value


def _drain(buffer: io.StringIO) -> bytes:
    """What the CSV writer wrote since the last call, as UTF-8; the buffer is emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")
