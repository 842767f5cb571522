"""Automatic training: after N new items since a model of a kind and scope was last trained, train it again.

Only what is in use is retrained: a (kind, scope) with an active model. The new items are counted
from the newest registered model of that kind and scope (what the last training saw). The run id
is derived from that model's version and how many times N new items arrived since, so every worker
checking at once derives the same id and inserting the run makes exactly one of them start it; a
failed automatic run is tried again after another N items.
"""

import uuid
from collections.abc import Mapping

from pydantic import ValidationError

from schemas.models import ModelKind, TrainModel
from schemas.records import JsonScalar

_NAMESPACE = uuid.UUID("5d0c8f3e-1b7a-4e52-9c1d-2f6a8b3e4d70")


def due_round(new_items: int, threshold: int) -> int:
    """How many times `threshold` new items arrived (0: not yet; a threshold of 0 is off)."""
    return 0 if threshold <= 0 else new_items // threshold


def automatic_run_id(kind: ModelKind, scope: str, baseline_version: str, round_: int) -> uuid.UUID:
    """The id of the automatic training run for this model's `round_`-th batch of N new items."""
    return uuid.uuid5(_NAMESPACE, f"auto-train:{kind.value}:{scope}:{baseline_version}:{round_}")


def retraining_of(
    kind: ModelKind, scope: str, params: Mapping[str, JsonScalar], *, activate: bool
) -> TrainModel:
    """Train `kind` for `scope` again with the parameters its last model was trained with."""
    wanted = {
        name: params[name] for name in ("n_topics", "contamination", "seed") if params.get(name) is not None
    }
    try:
        return TrainModel(kind=kind, scope=scope, activate=activate, **wanted)
    except ValidationError:  # parameters of an older model that no longer validate: the defaults
        return TrainModel(kind=kind, scope=scope, activate=activate)
