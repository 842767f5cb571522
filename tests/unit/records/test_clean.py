"""Validating a batch: good records pass cleaned, bad ones are rejected with reasons, duplicates skipped."""

import hashlib
from datetime import UTC, datetime

from app.records.clean import record_key, validate_and_clean
from schemas.records import ColumnSpec, ColumnType, DatasetSchema, RecordRejected
from tests.unit.records.samples import HOSTILE

ORDERS = DatasetSchema(
    columns=[
        ColumnSpec(name="id", type=ColumnType.INTEGER),
        ColumnSpec(name="customer", type=ColumnType.STRING),
        ColumnSpec(name="amount", type=ColumnType.FLOAT),
        ColumnSpec(name="paid", type=ColumnType.BOOLEAN, required=False),
        ColumnSpec(name="ordered_at", type=ColumnType.DATETIME, required=False),
    ],
    key=["id"],
)


def test_bad_records_are_rejected_with_reasons_while_good_ones_in_the_batch_pass() -> None:
    batch = validate_and_clean(
        [
            {
                "id": "1",
                "customer": "  Ann ",
                "amount": "12.50",
                "paid": "yes",
                "ordered_at": "2024-05-01T10:00:00Z",
            },
            {"id": "two", "customer": "Bo", "amount": 3},
            {"id": 3, "customer": "Cy", "amount": 4, "amout": 4},
            {"id": 4, "amount": 5},
            {"id": 5, "customer": "Di", "amount": 6},
        ],
        ORDERS,
    )
    assert batch.good == [
        {
            "id": 1,
            "customer": "Ann",
            "amount": 12.5,
            "paid": True,
            "ordered_at": datetime(2024, 5, 1, 10, tzinfo=UTC),
        },
        {"id": 5, "customer": "Di", "amount": 6.0, "paid": None, "ordered_at": None},
    ]
    assert batch.rejected == [
        RecordRejected(row=1, reason="column 'id': expected an integer, got 'two'"),
        RecordRejected(row=2, reason="unknown column 'amout'"),
        RecordRejected(row=3, reason="required column 'customer' is missing"),
    ]
    assert batch.skipped == []


def test_every_problem_of_a_record_is_listed_in_one_reason() -> None:
    [rejected] = validate_and_clean(
        [{"id": None, "customer": "Ed", "amount": "lots", "paid": "perhaps"}], ORDERS
    ).rejected
    assert rejected.reason == (
        "required column 'id' is empty; column 'amount': expected a number, got 'lots'; "
        "column 'paid': expected a boolean (true/false, yes/no, 1/0), got 'perhaps'"
    )


def test_a_hostile_value_is_quoted_truncated_and_inert_in_a_reason() -> None:
    value = "\x1b]8;;http://evil\x07" + "A" * 500
    [rejected] = validate_and_clean([{"id": 1, "customer": "Ann", "amount": value}], ORDERS).rejected
    assert rejected.reason == f"column 'amount': expected a number, got {(value[:40] + '…')!r}"
    assert "\x1b" not in rejected.reason and len(rejected.reason) < 120


def test_a_later_record_with_the_same_key_replaces_an_earlier_one_which_is_skipped() -> None:
    batch = validate_and_clean(
        [
            {"id": 1, "customer": "first", "amount": 1},
            {"id": 2, "customer": "other", "amount": 2},
            {"id": "1", "customer": "second", "amount": 3},
        ],
        ORDERS,
    )
    assert [row["customer"] for row in batch.good] == ["other", "second"]
    [skipped] = batch.skipped
    assert (skipped.row, skipped.reason) == (0, "duplicate: row 2 later in the batch has the same key (id)")
    assert batch.rejected == []


def test_without_a_key_exact_repeats_are_skipped() -> None:
    schema = DatasetSchema(columns=[ColumnSpec(name="x", type=ColumnType.INTEGER)])
    batch = validate_and_clean([{"x": 1}, {"x": "1"}, {"x": 2}], schema)
    assert batch.good == [{"x": 1}, {"x": 2}]
    assert [(s.row, s.reason) for s in batch.skipped] == [
        (0, "duplicate: row 1 later in the batch has the same values")
    ]


def test_the_record_key_is_stable_and_depends_only_on_the_key_columns() -> None:
    one = validate_and_clean([{"id": "7", "customer": "A", "amount": 1}], ORDERS).good[0]
    two = validate_and_clean([{"id": 7, "customer": "B", "amount": 2.5}], ORDERS).good[0]
    other = validate_and_clean([{"id": 8, "customer": "A", "amount": 1}], ORDERS).good[0]
    assert record_key(one, ORDERS) == record_key(two, ORDERS) != record_key(other, ORDERS)
    # The sha256 of the key values as compact JSON, so any system can compute the same key.
    assert record_key(one, ORDERS) == hashlib.sha256(b"[7]").hexdigest()


def test_hostile_strings_survive_cleaning_as_data() -> None:
    rows = [{"id": i, "customer": text, "amount": 1} for i, text in enumerate(HOSTILE)]
    batch = validate_and_clean(rows, ORDERS)
    assert [row["customer"] for row in batch.good] == HOSTILE
    assert batch.rejected == []
