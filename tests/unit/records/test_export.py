"""Exports for BI tools: CSV, JSON lines and Parquet parse back to the same values."""

import csv
import io
import json
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from app.records.clean import Row
from app.records.export import iter_csv, to_csv, to_jsonl, to_parquet
from schemas.records import ColumnSpec, ColumnType, DatasetSchema
from tests.unit.records.samples import HOSTILE

SCHEMA = DatasetSchema(
    columns=[
        ColumnSpec(name="id", type=ColumnType.INTEGER),
        ColumnSpec(name="text", type=ColumnType.STRING),
        ColumnSpec(name="amount", type=ColumnType.FLOAT, required=False),
        ColumnSpec(name="paid", type=ColumnType.BOOLEAN, required=False),
        ColumnSpec(name="at", type=ColumnType.DATETIME, required=False),
    ]
)


def _row(id_: int, text: str) -> Row:
    return {"id": id_, "text": text, "amount": 0.1, "paid": None, "at": None}


MOMENT = datetime(2024, 5, 1, 10, 30, 15, 123456, tzinfo=UTC)
ROWS: list[Row] = [
    {"id": 1, "text": "plain", "amount": -5.25, "paid": True, "at": MOMENT},
    {"id": 2, "text": 'line\nbreak, "quoted"', "amount": None, "paid": False, "at": None},
    *(_row(10 + i, text) for i, text in enumerate(HOSTILE)),
]


def test_csv_parses_back_with_a_header_and_the_same_values() -> None:
    data = to_csv(ROWS, SCHEMA)
    header, first, second, *_ = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert header == ["id", "text", "amount", "paid", "at"]
    assert first == ["1", "plain", "-5.25", "true", "2024-05-01T10:30:15.123456+00:00"]
    assert second == ["2", 'line\nbreak, "quoted"', "", "false", ""]


def test_csv_text_a_spreadsheet_would_run_as_a_formula_is_neutralised_but_numbers_are_not() -> None:
    parsed = list(csv.reader(io.StringIO(to_csv(ROWS, SCHEMA).decode("utf-8"))))[1:]
    texts = [row[1] for row in parsed]
    assert texts[2:] == [f"'{t}" if t[0] in "=@" else t for t in HOSTILE]
    assert parsed[0][2] == "-5.25"  # a negative number stays a number


def test_csv_column_names_are_neutralised_too() -> None:
    schema = DatasetSchema(columns=[ColumnSpec(name="=cmd", type=ColumnType.STRING)])
    assert to_csv([{"=cmd": "x"}], schema) == b"'=cmd\r\nx\r\n"


def test_csv_streams_one_line_per_chunk() -> None:
    assert len(list(iter_csv(ROWS, SCHEMA))) == 1 + len(ROWS)


def test_json_lines_parse_back_to_the_same_values_one_record_per_line() -> None:
    lines = to_jsonl(ROWS, SCHEMA).split(b"\n")
    assert lines[-1] == b"" and len(lines) == len(ROWS) + 1
    records = [json.loads(line) for line in lines[:-1]]
    assert records[0] == {"id": 1, "text": "plain", "amount": -5.25, "paid": True, "at": MOMENT.isoformat()}
    assert [r["text"] for r in records[2:]] == HOSTILE
    assert all(line.isascii() for line in lines)


def test_json_lines_cannot_be_split_inside_a_record_by_unicode_line_separators() -> None:
    data = to_jsonl([{"id": 1, "text": "a\u2028b\u0085c", "amount": None, "paid": None, "at": None}], SCHEMA)
    [line] = data.decode("ascii").splitlines()
    assert json.loads(line)["text"] == "a\u2028b\u0085c"


def test_parquet_parses_back_typed_with_the_same_values() -> None:
    table = pq.read_table(io.BytesIO(to_parquet(ROWS, SCHEMA)))
    assert table.schema.field("id").type == pa.int64() and not table.schema.field("id").nullable
    assert table.schema.field("amount").type == pa.float64() and table.schema.field("amount").nullable
    assert table.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert table.to_pylist() == ROWS


def test_an_empty_export_still_has_its_columns() -> None:
    assert to_csv([], SCHEMA) == b"id,text,amount,paid,at\r\n"
    assert to_jsonl([], SCHEMA) == b""
    assert pq.read_table(io.BytesIO(to_parquet([], SCHEMA))).column_names == [
        "id",
        "text",
        "amount",
        "paid",
        "at",
    ]
