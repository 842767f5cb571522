"""Validating and cleaning one batch of records against its dataset's schema.

Each record is judged on its own: a bad one is rejected with every problem it has (so the
sender can fix it in one go), and the rest of the batch proceeds. Decisions:
- An unknown column rejects the record rather than being dropped: a typo such as `amout`
  would otherwise lose data silently, and schema drift upstream should be seen, not absorbed.
- Two records with the same key in one batch keep the *later* one, the same result as if they
  had been sent one by one and upserted in turn; the earlier one is reported as skipped.
  Without a declared key the whole record is the key, so exact repeats are skipped.
Values in reasons are previews: truncated and quoted, so hostile text stays inert data.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.records.values import CleanValue, CoercionError, coerce, is_blank, preview
from schemas.records import MAX_REASON_CHARS, ColumnType, DatasetSchema, RecordRejected, RecordSkipped

Row = dict[str, CleanValue]
MAX_PROBLEMS_LISTED = 10


@dataclass(frozen=True)
class CleanBatch:
    """The outcome of one batch: clean records in batch order, rejected ones, skipped duplicates."""

    good: list[Row]
    rejected: list[RecordRejected]
    skipped: list[RecordSkipped]


def validate_and_clean(rows: Sequence[Mapping[str, object]], schema: DatasetSchema) -> CleanBatch:
    """Coerce and trim each record to `schema`; reject bad ones with reasons; drop duplicate keys."""
    cleaned: list[tuple[int, Row]] = []
    rejected: list[RecordRejected] = []
    for index, row in enumerate(rows):
        clean, problems = clean_record(row, schema)
        if problems:
            rejected.append(RecordRejected(row=index, reason=_reason(problems)))
        else:
            cleaned.append((index, clean))
    good, skipped = _drop_duplicates(cleaned, schema)
    return CleanBatch(good=good, rejected=rejected, skipped=skipped)


def clean_record(row: Mapping[str, object], schema: DatasetSchema) -> tuple[Row, list[str]]:
    """One record with every declared column coerced (absent optional ones are None), and its problems."""
    problems = [f"unknown column {preview(name)}" for name in row if schema.column(name) is None]
    clean: Row = {}
    for column in schema.columns:
        value = row.get(column.name)
        blank = value is None if column.type is ColumnType.STRING else is_blank(value)
        clean[column.name] = None
        if blank:
            if column.required:
                state = "missing" if column.name not in row else "empty"
                problems.append(f"required column {preview(column.name)} is {state}")
            continue
        try:
            clean[column.name] = coerce(value, column.type)
        except CoercionError as exc:
            problems.append(f"column {preview(column.name)}: {exc}, got {preview(value)}")
    return clean, problems


def record_key(row: Mapping[str, CleanValue], schema: DatasetSchema) -> str:
    """A stable sha256 (hex) of a clean record's key columns (all columns if the schema has no key)."""
    names = schema.key or [column.name for column in schema.columns]
    values = [_canonical(row.get(name)) for name in names]
    payload = json.dumps(values, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def _canonical(value: CleanValue) -> str | int | float | bool | None:
    """A JSON-ready form of a clean value (datetimes are UTC ISO 8601 text)."""
    return value.isoformat() if isinstance(value, datetime) else value


def _reason(problems: list[str]) -> str:
    """Every problem of a record in one line, within the reason length limit."""
    listed = problems[:MAX_PROBLEMS_LISTED]
    more = len(problems) - len(listed)
    reason = "; ".join(listed) + (f"; and {more} more problems" if more else "")
    return reason if len(reason) <= MAX_REASON_CHARS else reason[: MAX_REASON_CHARS - 1] + "…"


def _drop_duplicates(
    cleaned: list[tuple[int, Row]], schema: DatasetSchema
) -> tuple[list[Row], list[RecordSkipped]]:
    """Keep the last record of each key; report the earlier ones as skipped."""
    keys = [record_key(row, schema) for _, row in cleaned]
    last = {key: position for position, key in enumerate(keys)}
    what = f"key ({', '.join(schema.key)})" if schema.key else "values"
    good: list[Row] = []
    skipped: list[RecordSkipped] = []
    for position, (index, row) in enumerate(cleaned):
        winner = last[keys[position]]
        if winner == position:
            good.append(row)
        else:
            reason = f"duplicate: row {cleaned[winner][0]} later in the batch has the same {what}"
            skipped.append(RecordSkipped(row=index, reason=reason))
    return good, skipped
