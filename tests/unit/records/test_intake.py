"""Uploads into batches: CSV rows become JSON records, and records travel in batches under both caps."""

import io
import json

import pytest

from app.errors import PermanentError
from app.records.intake import ENVELOPE_BYTES, csv_records, encoded_size, split_batches
from schemas.dead_letters import DeadLetterReason
from schemas.records import MAX_RECORD_BATCH_BYTES, RecordsSubmitted


def test_a_batch_holds_at_most_a_thousand_records() -> None:
    records = [{"id": i} for i in range(2500)]

    batches = list(split_batches(records, encoded_size))

    assert [len(batch) for batch in batches] == [1000, 1000, 500]
    assert [record for batch in batches for record in batch] == records


def test_a_batch_of_large_records_is_cut_before_it_reaches_the_byte_cap() -> None:
    records = [{"id": i, "text": "x" * 2000} for i in range(1000)]

    batches = list(split_batches(records, encoded_size))

    assert len(batches) == 4
    for batch in batches:
        message = RecordsSubmitted(dataset="notes", records=batch).model_dump_json().encode()
        assert len(message) <= MAX_RECORD_BATCH_BYTES
    assert sum(len(batch) for batch in batches) == 1000


def test_the_encoded_size_is_what_the_record_takes_in_a_message() -> None:
    record = {"name": "Zoë", "amount": 1.5, "paid": True, "note": None}
    one = RecordsSubmitted(dataset="d", records=[record]).model_dump_json().encode()
    two = RecordsSubmitted(dataset="d", records=[record, record]).model_dump_json().encode()

    assert len(two) - len(one) == encoded_size(record)


def test_a_record_too_large_for_any_batch_is_refused_with_its_position() -> None:
    records = [{"id": 0}, {"id": 1, "blob": "x" * MAX_RECORD_BATCH_BYTES}]

    with pytest.raises(PermanentError) as refused:
        list(split_batches(records, encoded_size))

    assert refused.value.reason_code is DeadLetterReason.TOO_LARGE
    assert refused.value.reason.startswith("Record 1 is ")
    assert f"under {MAX_RECORD_BATCH_BYTES - ENVELOPE_BYTES:,} bytes" in refused.value.reason


def test_csv_rows_are_keyed_by_the_header_with_empty_cells_missing() -> None:
    text = io.StringIO('id, amount ,note\r\n1,2.5,\r\n\r\n2,,"a, quoted\nline"\r\n')

    assert list(csv_records(text)) == [
        {"id": "1", "amount": "2.5", "note": None},
        {"id": "2", "amount": None, "note": "a, quoted\nline"},
    ]


def test_csv_cells_beyond_the_header_are_kept_under_a_positional_name_and_short_rows_are_padded() -> None:
    rows = list(csv_records(io.StringIO("a,b\n1,2,3\n4\n")))

    assert rows == [{"a": "1", "b": "2", "column_3": "3"}, {"a": "4", "b": None}]


@pytest.mark.parametrize("header", ["a,a\n", "a,,b\n"])
def test_a_csv_header_must_name_every_column_once(header: str) -> None:
    with pytest.raises(PermanentError, match="name every column once"):
        list(csv_records(io.StringIO(header + "1,2\n")))


def test_an_empty_csv_has_no_records() -> None:
    assert list(csv_records(io.StringIO(""))) == []


def test_hostile_cells_stay_inert_text() -> None:
    hostile = '=HYPERLINK("http://evil.example","x")'
    text = io.StringIO(f'note\n"{hostile.replace(chr(34), chr(34) * 2)}"\n')

    [record] = csv_records(text)

    assert record == {"note": hostile}
    assert json.loads(json.dumps(record)) == record
