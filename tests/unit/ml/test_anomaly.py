"""Record anomalies: injected outliers score highest and are flagged; gaps are imputed, not fatal."""

import pytest

from app.ml.anomaly import numeric_columns, score_records, train_anomaly
from app.ml.model import NotEnoughData, TrainedModel
from schemas.models import ModelKind
from schemas.records import ColumnSpec, ColumnType, DatasetSchema
from tests.unit.ml.generated import ordinary_records

OUTLIERS: list[dict[str, float | int | str]] = [
    {"id": 9001, "amount": 480.0, "quantity": 10, "note": "price typo"},
    {"id": 9002, "amount": 100.0, "quantity": -40, "note": "negative stock"},
    {"id": 9003, "amount": 3.0, "quantity": 60, "note": "both off"},
]


def test_injected_outliers_get_the_highest_scores_and_are_flagged(anomaly: TrainedModel) -> None:
    rows = ordinary_records(200, seed=21)
    rows[50:50] = OUTLIERS  # hidden in the middle of the batch
    scores = score_records(anomaly, rows)
    ranked = sorted(range(len(rows)), key=lambda i: scores[i].anomaly_score, reverse=True)
    assert set(ranked[:3]) == {50, 51, 52}
    assert all(scores[i].is_anomaly for i in (50, 51, 52))
    ordinary_flagged = sum(s.is_anomaly for s in scores) - 3
    assert ordinary_flagged <= 0.05 * 200


def test_outliers_in_the_training_data_itself_score_highest() -> None:
    rows = ordinary_records(300, seed=23)
    rows[100:100] = OUTLIERS
    model = train_anomaly(rows, ["amount", "quantity"], seed=0)
    scores = score_records(model, rows)
    ranked = sorted(range(len(rows)), key=lambda i: scores[i].anomaly_score, reverse=True)
    assert set(ranked[:3]) == {100, 101, 102}
    assert all(scores[i].is_anomaly for i in (100, 101, 102))


def test_a_value_far_beyond_the_training_range_is_flagged_even_if_other_columns_are_typical(
    anomaly: TrainedModel,
) -> None:
    _, high, width = anomaly.ranges[0]
    [near, far] = score_records(
        anomaly, [{"amount": high - 0.01, "quantity": 10}, {"amount": high + width, "quantity": 10}]
    )
    assert far.is_anomaly and far.anomaly_score > near.anomaly_score


def test_scores_are_higher_for_more_unusual_records(anomaly: TrainedModel) -> None:
    typical, unusual = score_records(anomaly, [{"amount": 100.0, "quantity": 10}, OUTLIERS[0]])
    assert 0 < typical.anomaly_score < anomaly.threshold < unusual.anomaly_score <= 1
    assert typical.model_version == unusual.model_version == anomaly.version


def test_the_threshold_flags_the_expected_share_of_training_records(anomaly: TrainedModel) -> None:
    assert anomaly.kind is ModelKind.RECORD_ANOMALY
    assert anomaly.metrics["flagged_share"] <= 0.02
    assert anomaly.metrics["threshold"] == anomaly.threshold
    assert anomaly.columns == ("amount", "quantity")
    assert anomaly.training_size == 300


def test_missing_and_non_numeric_values_are_imputed_with_the_median(anomaly: TrainedModel) -> None:
    gaps: list[dict[str, object]] = [
        {"amount": None, "quantity": 10},
        {"quantity": "ten", "amount": True},
        {},
    ]
    scores = score_records(anomaly, gaps)
    assert len(scores) == 3
    assert not any(s.is_anomaly for s in scores)


def test_retraining_on_different_data_changes_scores(anomaly: TrainedModel) -> None:
    shifted = [{**row, "amount": float(row["amount"]) * 5} for row in ordinary_records(300, seed=22)]
    retrained = train_anomaly(shifted, ["amount", "quantity"], seed=0)
    record = [{"amount": 500.0, "quantity": 10}]
    [before], [after] = score_records(anomaly, record), score_records(retrained, record)
    assert before.is_anomaly and not after.is_anomaly
    assert after.model_version == retrained.version != anomaly.version


def test_the_numeric_columns_of_a_dataset_are_its_integers_and_floats() -> None:
    schema = DatasetSchema(
        columns=[
            ColumnSpec(name="id", type=ColumnType.INTEGER),
            ColumnSpec(name="name", type=ColumnType.STRING),
            ColumnSpec(name="price", type=ColumnType.FLOAT),
            ColumnSpec(name="paid", type=ColumnType.BOOLEAN),
        ]
    )
    assert numeric_columns(schema) == ["id", "price"]


def test_anomaly_detection_needs_a_numeric_column() -> None:
    with pytest.raises(NotEnoughData, match="at least one numeric column"):
        train_anomaly(ordinary_records(20, seed=1), [], seed=0)


def test_anomaly_detection_needs_enough_records() -> None:
    with pytest.raises(NotEnoughData, match="at least 10 records; got 9"):
        train_anomaly(ordinary_records(9, seed=1), ["amount"], seed=0)


def test_anomaly_detection_needs_some_numeric_values() -> None:
    with pytest.raises(NotEnoughData, match="Every numeric value"):
        train_anomaly([{"amount": None}] * 20, ["amount"], seed=0)


def test_no_records_no_scores(anomaly: TrainedModel) -> None:
    assert score_records(anomaly, []) == []
