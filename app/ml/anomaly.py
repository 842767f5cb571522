"""Record anomaly detection: an IsolationForest per dataset over its numeric columns.

Missing, null or non-numeric values are imputed with the column's training median, so a record
with gaps is still scored. Scores are the negated IsolationForest `score_samples`, in (0, 1]:
higher is more anomalous. A record is flagged when its score is above the model's threshold:
the training scores' quantile for the expected share of anomalies (`contamination`, 1% by
default), or 0.5 with `contamination=None` (the original paper's rule, scikit-learn's "auto",
which flags ~10% of ordinary Gaussian data: too noisy as a default).

A record with a value far outside a column's training range (`app.ml.ranges`) is always flagged,
its score raised above the threshold and towards 1 the further out it is: IsolationForest alone
scores every value beyond the training range alike.
"""

import math
from collections.abc import Mapping, Sequence

import numpy as np

from app.ml.model import NotEnoughData, TrainedModel, model_version, require_kind
from app.ml.ranges import fit_ranges, range_excess
from schemas.models import ModelKind, RecordScore
from schemas.records import ColumnType, DatasetSchema, JsonScalar

MIN_ROWS = 10
DEFAULT_CONTAMINATION = 0.01
TREES = 100


def numeric_columns(schema: DatasetSchema) -> list[str]:
    """The dataset's integer and float columns: what its anomaly model reads."""
    numeric = (ColumnType.INTEGER, ColumnType.FLOAT)
    return [column.name for column in schema.columns if column.type in numeric]


def train_anomaly(
    rows: Sequence[Mapping[str, object]],
    numeric_columns: Sequence[str],
    *,
    seed: int = 0,
    contamination: float | None = DEFAULT_CONTAMINATION,
) -> TrainedModel:
    """Fit an IsolationForest (median-imputed) on the records' numeric columns."""
    # scikit-learn takes seconds to import; the scorers that import this module never need it.
    from sklearn.ensemble import IsolationForest
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline

    if not numeric_columns:
        raise NotEnoughData("Anomaly detection needs at least one numeric column; the dataset has none.")
    if len(rows) < MIN_ROWS:
        raise NotEnoughData(f"Anomaly detection needs at least {MIN_ROWS} records; got {len(rows)}.")
    if contamination is not None and not 0 < contamination <= 0.5:
        raise ValueError(f"contamination must be in (0, 0.5], not {contamination}")
    columns = tuple(numeric_columns)
    matrix = _matrix(rows, columns)
    if np.isnan(matrix).all():
        raise NotEnoughData("Every numeric value of the records is missing.")
    params: dict[str, JsonScalar] = {
        "model": "isolation_forest",
        "trees": TREES,
        "contamination": contamination,
        "seed": seed,
    }
    forest = IsolationForest(
        n_estimators=TREES,
        contamination="auto" if contamination is None else contamination,
        random_state=seed,
    )
    imputer = SimpleImputer(strategy="median", keep_empty_features=True)
    pipeline = Pipeline([("impute", imputer), ("forest", forest)]).fit(matrix)
    scores = -pipeline.score_samples(matrix)
    threshold = float(-forest.offset_)
    metrics = {
        "threshold": threshold,
        "flagged_share": float(np.mean(scores > threshold)),
        "score_mean": float(scores.mean()),
        "score_max": float(scores.max()),
    }
    data = [",".join(repr(value) for value in row) for row in matrix.tolist()]
    version = model_version(ModelKind.RECORD_ANOMALY, {**params, "columns": ",".join(columns)}, data)
    return TrainedModel(
        ModelKind.RECORD_ANOMALY,
        version,
        params,
        len(rows),
        metrics,
        pipeline,
        columns=columns,
        threshold=threshold,
        ranges=fit_ranges(matrix),
    )


def score_records(model: TrainedModel, rows: Sequence[Mapping[str, object]]) -> list[RecordScore]:
    """Each record's anomaly score (higher = more unusual) and whether it is above the threshold."""
    require_kind(model, ModelKind.RECORD_ANOMALY)
    if not rows:
        return []
    matrix = _matrix(rows, model.columns)
    scores = -model.pipeline.score_samples(matrix)
    excess = range_excess(matrix, model.ranges)
    # Out of range: above the threshold, approaching 1 as the excess grows.
    guarded = model.threshold + (1 - model.threshold) * excess / (1 + excess)
    scores = np.where(excess > 0, np.maximum(scores, guarded), scores)
    return [
        RecordScore(anomaly_score=score, is_anomaly=score > model.threshold, model_version=model.version)
        for score in (float(s) for s in scores)
    ]


def _matrix(rows: Sequence[Mapping[str, object]], columns: Sequence[str]) -> np.ndarray:
    """Rows x columns of floats; anything that is not a finite number (or is a boolean) is NaN."""
    return np.array([[_number(row.get(name)) for name in columns] for row in rows], dtype=np.float64)


def _number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return math.nan
    number = float(value)
    return number if math.isfinite(number) else math.nan
