"""A trained model as the rest of Headwater sees it: a scikit-learn pipeline and its registry card.

A model's version is derived from what made it (kind, parameters, seed and training data), so
training twice on the same data gives the same version and a registry upsert stays idempotent,
while any change of data gives a new version that every later prediction carries.
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.errors import HeadwaterError
from schemas.models import ModelKind
from schemas.records import JsonScalar

_VERSION_PREFIX = {
    ModelKind.DOCUMENT_CLASSIFIER: "classifier",
    ModelKind.DOCUMENT_TOPICS: "topics",
    ModelKind.RECORD_ANOMALY: "anomaly",
}
VERSION_DIGEST_CHARS = 16


class NotEnoughData(HeadwaterError):
    """The training data cannot make a meaningful model (too few classes, samples or columns)."""


@dataclass(frozen=True)
class TrainedModel:
    """A fitted pipeline with what the registry records about it and what predicting needs.

    Only the fields of its kind are set: `labels` (classifier classes), `topics` (keywords per
    topic), `columns`, `threshold` and `ranges` (anomaly: the numeric columns, the score above
    which a record is flagged, each column's range guard).
    """

    kind: ModelKind
    version: str
    params: Mapping[str, JsonScalar]
    training_size: int
    metrics: Mapping[str, float]
    pipeline: Any = field(repr=False, compare=False)
    labels: tuple[str, ...] = ()
    topics: tuple[tuple[str, ...], ...] = ()
    columns: tuple[str, ...] = ()
    threshold: float = 0.0
    ranges: tuple[tuple[float, float, float], ...] = ()


def model_version(kind: ModelKind, params: Mapping[str, JsonScalar], data: Iterable[str]) -> str:
    """A version string such as `classifier-1a2b3c4d5e6f7a8b`: a digest of kind, params and data."""
    digest = hashlib.sha256()
    digest.update(json.dumps([kind.value, dict(params)], sort_keys=True).encode("utf-8"))
    for item in data:
        encoded = item.encode("utf-8", "surrogatepass")
        # Length-prefix each item so ("ab", "c") and ("a", "bc") differ.
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return f"{_VERSION_PREFIX[kind]}-{digest.hexdigest()[:VERSION_DIGEST_CHARS]}"


def require_kind(model: TrainedModel, *kinds: ModelKind) -> None:
    """Refuse a model of the wrong kind (a programming error, not bad data)."""
    if model.kind not in kinds:
        expected = " or ".join(kind.value for kind in kinds)
        raise ValueError(f"expected a {expected} model, got a {model.kind.value} model")
