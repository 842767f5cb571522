"""The parameters of a run, as stored on it: what a Train Model run trains, which dataset a Rescore
Data run scores. Other tasks take none; a parameter a task does not take is refused, never ignored.
"""

from typing import Any

from app.errors import InvalidRequestError
from app.runs.tasks import Launch, TaskDefinition
from schemas.models import DOCUMENTS_SCOPE, ModelKind, TrainModel

DEFAULT_TRAINING = TrainModel(kind=ModelKind.DOCUMENT_CLASSIFIER, scope=DOCUMENTS_SCOPE)
"""What a Train Model run started without `model` trains (e.g. by a schedule)."""


def parameters_for(
    task: TaskDefinition, *, documents: str | list[str], model: TrainModel | None, dataset: str | None
) -> dict[str, Any] | None:
    """The stored parameters of a new run of `task`; InvalidRequestError for ones it does not take."""
    chose_documents = documents != "all"
    if task.launch is Launch.TRAIN:
        if dataset is not None or chose_documents:
            raise InvalidRequestError(
                f"{task.name} trains on the stored data: it takes `model` (for a dataset's anomaly "
                "model: kind record_anomaly and scope <dataset>), not `documents` or `dataset`"
            )
        return training_parameters(model or DEFAULT_TRAINING)
    if model is not None:
        raise InvalidRequestError(f"only Train Model takes `model`, not {task.name}")
    if dataset is None:
        return None
    if task.launch is not Launch.RESCORE:
        raise InvalidRequestError(f"only Rescore Data takes `dataset`, not {task.name}")
    if chose_documents:
        raise InvalidRequestError(
            "a rescore covers documents or a dataset's records, not both: start one run of each"
        )
    return {"dataset": dataset}


def training_parameters(model: TrainModel) -> dict[str, Any]:
    """The stored parameters of a Train Model run."""
    return {"model": model.model_dump(mode="json")}


def training_of(parameters: dict[str, Any] | None) -> TrainModel:
    """What a Train Model run trains, read back from its stored parameters."""
    stored = (parameters or {}).get("model")
    return DEFAULT_TRAINING if stored is None else TrainModel.model_validate(stored)
