"""The records wire contract: what an upstream system may publish, and what a dataset schema is."""

import pytest
from pydantic import ValidationError

from schemas.records import ColumnSpec, ColumnType, DatasetSchema, RecordsSubmitted


def test_a_batch_of_json_records_for_a_named_dataset_is_accepted() -> None:
    event = RecordsSubmitted.model_validate_json(
        '{"dataset": "orders-eu_2", '
        '"records": [{"id": 1, "price": 2.5, "paid": true, "note": null, "s": "x"}]}'
    )
    assert event.records == [{"id": 1, "price": 2.5, "paid": True, "note": None, "s": "x"}]
    assert (event.source, event.run_id, event.schema_version) == ("upstream", None, 1)
    assert type(event.records[0]["id"]) is int and type(event.records[0]["paid"]) is bool


@pytest.mark.parametrize("dataset", ["", "Orders", "../etc", "a b", "x" * 65, "-lead"])
def test_a_dataset_name_must_be_a_slug(dataset: str) -> None:
    with pytest.raises(ValidationError):
        RecordsSubmitted(dataset=dataset, records=[{"a": 1}])


@pytest.mark.parametrize("count", [0, 1001])
def test_a_batch_holds_one_to_a_thousand_records(count: int) -> None:
    with pytest.raises(ValidationError):
        RecordsSubmitted(dataset="orders", records=[{"a": 1}] * count)


def test_record_values_must_be_json_scalars() -> None:
    with pytest.raises(ValidationError):
        RecordsSubmitted.model_validate_json('{"dataset": "orders", "records": [{"nested": {"a": 1}}]}')


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        RecordsSubmitted.model_validate_json('{"dataset": "orders", "records": [{"a": 1}], "extra": 1}')


def test_column_names_are_unique() -> None:
    with pytest.raises(ValidationError, match="unique"):
        DatasetSchema(columns=[ColumnSpec(name="a", type="string"), ColumnSpec(name="a", type="integer")])


def test_a_key_is_made_of_declared_required_columns() -> None:
    optional = ColumnSpec(name="id", type=ColumnType.INTEGER, required=False)
    with pytest.raises(ValidationError, match="key column 'id'"):
        DatasetSchema(columns=[optional], key=["id"])
    with pytest.raises(ValidationError, match="key column 'nope'"):
        DatasetSchema(columns=[ColumnSpec(name="id", type=ColumnType.INTEGER)], key=["nope"])


def test_a_schema_round_trips_through_json() -> None:
    schema = DatasetSchema(columns=[ColumnSpec(name="id", type=ColumnType.INTEGER)], key=["id"])
    assert DatasetSchema.model_validate_json(schema.model_dump_json()) == schema
