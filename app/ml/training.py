"""Training as one picklable call, for a process pool (the Train Model task).

`train_to_file` runs in a worker process: it trains, writes the skops artifact to a file
atomically and returns a small `TrainingSummary`; the fitted model never crosses the process
boundary. Keep the spec going in small too: build document texts with `document_text` (or
cut them with `app.ml.text.bounded`) before putting them in a spec, since it is pickled.
"""

import hashlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID

from app.ml.anomaly import DEFAULT_CONTAMINATION, train_anomaly
from app.ml.artifacts import dump_model
from app.ml.documents import fit_topics, train_classifier
from app.ml.model import TrainedModel
from schemas.models import ModelInfo, ModelKind
from schemas.records import JsonScalar


@dataclass(frozen=True)
class ClassifierSpec:
    """Train a document classifier on labelled texts."""

    texts: Sequence[str]
    labels: Sequence[str]
    seed: int = 0


@dataclass(frozen=True)
class TopicsSpec:
    """Fit `n_topics` topics on unlabelled texts."""

    texts: Sequence[str]
    n_topics: int
    seed: int = 0


@dataclass(frozen=True)
class AnomalySpec:
    """Fit an anomaly model on a dataset's records."""

    rows: Sequence[Mapping[str, object]]
    numeric_columns: Sequence[str]
    seed: int = 0
    contamination: float | None = DEFAULT_CONTAMINATION


TrainingSpec = ClassifierSpec | TopicsSpec | AnomalySpec


@dataclass(frozen=True)
class TrainingSummary:
    """What a training process reports back: the registry card and where the artifact is."""

    kind: ModelKind
    version: str
    params: Mapping[str, JsonScalar]
    training_size: int
    metrics: Mapping[str, float]
    artifact_sha256: str
    artifact_bytes: int = field(compare=False)

    def info(self, *, model_id: UUID, scope: str, created_at: datetime, active: bool) -> ModelInfo:
        """The registry entry for this model once stored under `id`."""
        return ModelInfo(
            id=model_id,
            kind=self.kind,
            version=self.version,
            scope=scope,
            params=dict(self.params),
            training_size=self.training_size,
            metrics=dict(self.metrics),
            artifact_sha256=self.artifact_sha256,
            created_at=created_at,
            active=active,
        )


def train(spec: TrainingSpec) -> TrainedModel:
    """Train the model a spec describes."""
    match spec:
        case ClassifierSpec():
            return train_classifier(spec.texts, spec.labels, seed=spec.seed)
        case TopicsSpec():
            return fit_topics(spec.texts, n_topics=spec.n_topics, seed=spec.seed)
        case AnomalySpec():
            return train_anomaly(
                spec.rows, spec.numeric_columns, seed=spec.seed, contamination=spec.contamination
            )


def train_to_file(spec: TrainingSpec, out: Path) -> TrainingSummary:
    """Train, write the skops artifact to `out` atomically, and return a small summary."""
    model = train(spec)
    data = dump_model(model)
    tmp = out.with_suffix(".tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return TrainingSummary(
        kind=model.kind,
        version=model.version,
        params=dict(model.params),
        training_size=model.training_size,
        metrics=dict(model.metrics),
        artifact_sha256=hashlib.sha256(data).hexdigest(),
        artifact_bytes=len(data),
    )
