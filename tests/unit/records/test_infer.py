"""Inferring a dataset's schema from its first batch."""

import pytest

from app.errors import PermanentError
from app.records.clean import validate_and_clean
from app.records.infer import infer_schema
from schemas.records import ColumnSpec, ColumnType, DatasetSchema


def _types(schema: DatasetSchema) -> dict[str, tuple[ColumnType, bool]]:
    return {column.name: (column.type, column.required) for column in schema.columns}


def test_each_column_gets_the_narrowest_type_that_reads_all_its_values() -> None:
    rows = [
        {"id": 1, "price": 9.5, "count": "3", "paid": True, "at": "2024-01-02T03:04:05Z", "name": "Ann"},
        {"id": 2, "price": 10, "count": "4", "paid": "false", "at": "2024-01-03", "name": "Bo"},
    ]
    assert _types(infer_schema(rows)) == {
        "id": (ColumnType.INTEGER, True),
        "price": (ColumnType.FLOAT, True),  # integers and floats mixed: float
        "count": (ColumnType.INTEGER, True),  # integer text
        "paid": (ColumnType.BOOLEAN, True),
        "at": (ColumnType.DATETIME, True),
        "name": (ColumnType.STRING, True),
    }


def test_a_column_with_disagreeing_values_is_a_string() -> None:
    rows: list[dict[str, object]] = [{"code": 1}, {"code": "A7"}, {"code": True}]
    assert _types(infer_schema(rows)) == {"code": (ColumnType.STRING, True)}


def test_numbers_with_leading_zeros_stay_strings_so_postcodes_keep_their_zero() -> None:
    assert _types(infer_schema([{"zip": "01234"}, {"zip": "12345"}])) == {"zip": (ColumnType.STRING, True)}


def test_a_column_missing_null_or_blank_somewhere_is_optional() -> None:
    rows: list[dict[str, object]] = [
        {"a": 1, "b": 2, "c": "x"},
        {"a": None, "c": ""},
        {"a": 3, "b": " ", "c": "y"},
    ]
    assert _types(infer_schema(rows)) == {
        "a": (ColumnType.INTEGER, False),
        "b": (ColumnType.INTEGER, False),
        "c": (ColumnType.STRING, True),  # blank text is a value of a string column
    }


def test_a_column_that_is_always_null_is_an_optional_string() -> None:
    assert infer_schema([{"a": None}, {"a": None}]).columns == [
        ColumnSpec(name="a", type=ColumnType.STRING, required=False)
    ]


def test_columns_keep_their_first_seen_order_and_no_key_is_guessed() -> None:
    schema = infer_schema([{"b": 1, "a": 2}, {"c": 3, "a": 4}])
    assert [column.name for column in schema.columns] == ["b", "a", "c"]
    assert schema.key is None


def test_text_that_only_looks_like_a_date_is_a_string() -> None:
    assert _types(infer_schema([{"d": "2024-13-45"}])) == {"d": (ColumnType.STRING, True)}


def test_unusable_column_names_are_left_out_of_the_schema() -> None:
    schema = infer_schema([{"ok": 1, "": 2, "bad\nname": 3, "x" * 101: 4}])
    assert [column.name for column in schema.columns] == ["ok"]


def test_a_batch_with_no_usable_columns_cannot_give_a_schema() -> None:
    with pytest.raises(PermanentError, match="no usable columns"):
        infer_schema([{}, {"\x00": 1}])


def test_every_record_of_the_first_batch_passes_validation_against_the_inferred_schema() -> None:
    rows: list[dict[str, object]] = [
        {"id": "1", "zip": "01234", "price": "1e3", "paid": "TRUE", "at": "2024-01-02", "note": None},
        {"id": 2, "zip": 12345, "price": 2, "paid": False, "at": "2024-01-02T03:04:05+01:00", "note": ""},
        {"id": 3, "price": 2.5, "paid": None},
    ]
    batch = validate_and_clean(rows, infer_schema(rows))
    assert batch.rejected == [] and len(batch.good) == 3
