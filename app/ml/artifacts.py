"""Model artifacts: a trained model as skops bytes for the blob store, and back.

skops stores objects as a zip of JSON descriptions and numpy arrays and, unlike pickle, only
builds types it was told to trust. Loading first lists the artifact's types outside skops's own
trusted set and refuses any but the few our models need (`TRUSTED_TYPES`), so an edited or
foreign artifact cannot run code. The model's card (kind, version, params, metrics, ...) travels
inside the artifact as JSON text.

skops and scikit-learn are imported when a model is saved or loaded, not when this module is:
they take seconds to import, and every Headwater process imports this module at start.
"""

import json
import zipfile
from typing import Any

from app.errors import HeadwaterError
from app.ml.model import TrainedModel
from schemas.models import ModelKind

ARTIFACT_FORMAT = 1
TRUSTED_TYPES = ("numpy.dtype", "sklearn.tree._tree.Tree")
"""Types beyond skops's defaults that Headwater's pipelines contain (IsolationForest's trees)."""


class ArtifactRefused(HeadwaterError):
    """The bytes are not a model artifact Headwater made: corrupt, foreign or holding untrusted types."""


def model_card(model: TrainedModel) -> dict[str, Any]:
    """What the registry records about a model, as JSON-ready data."""
    return {
        "kind": model.kind.value,
        "version": model.version,
        "params": dict(model.params),
        "training_size": model.training_size,
        "metrics": dict(model.metrics),
        "labels": list(model.labels),
        "topics": [list(keywords) for keywords in model.topics],
        "columns": list(model.columns),
        "threshold": model.threshold,
        "ranges": [list(bounds) for bounds in model.ranges],
    }


def dump_model(model: TrainedModel) -> bytes:
    """The model as skops bytes (zip-compressed)."""
    payload = {"format": ARTIFACT_FORMAT, "card": json.dumps(model_card(model)), "pipeline": model.pipeline}
    import skops.io as sio  # slow import: see the module docstring

    data: bytes = sio.dumps(payload, compression=zipfile.ZIP_DEFLATED)
    return data


def load_model(data: bytes) -> TrainedModel:
    """A model from `dump_model` bytes; raises ArtifactRefused for anything else."""
    import skops.io as sio  # slow imports: see the module docstring
    from sklearn.pipeline import Pipeline

    try:
        untrusted = set(sio.get_untrusted_types(data=data)) - set(TRUSTED_TYPES)
    except Exception as exc:  # a corrupt zip or JSON raises whatever the parser hits first
        raise ArtifactRefused(f"Not a readable model artifact: {type(exc).__name__}") from exc
    if untrusted:
        raise ArtifactRefused(f"The artifact holds types Headwater does not trust: {sorted(untrusted)[:10]}")
    try:
        payload = sio.loads(data, trusted=list(TRUSTED_TYPES))
        if payload["format"] != ARTIFACT_FORMAT or not isinstance(payload["pipeline"], Pipeline):
            raise ValueError("not a Headwater artifact of a supported format")
        card = json.loads(payload["card"])
        return TrainedModel(
            kind=ModelKind(card["kind"]),
            version=str(card["version"]),
            params=dict(card["params"]),
            training_size=int(card["training_size"]),
            metrics={str(name): float(value) for name, value in card["metrics"].items()},
            pipeline=payload["pipeline"],
            labels=tuple(card["labels"]),
            topics=tuple(tuple(keywords) for keywords in card["topics"]),
            columns=tuple(card["columns"]),
            threshold=float(card["threshold"]),
            ranges=tuple((float(low), float(high), float(width)) for low, high, width in card["ranges"]),
        )
    except Exception as exc:
        raise ArtifactRefused(f"Not a Headwater model artifact: {type(exc).__name__}: {exc}"[:500]) from exc
