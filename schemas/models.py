"""Machine-learning models: the registry entry of a trained model and the predictions it makes."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError, model_validator

from schemas.base import DocId, Message, Sha256
from schemas.records import DatasetSlug, JsonScalar

ModelVersion = Annotated[str, Field(min_length=1, max_length=64)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
"""A document's class, e.g. `invoice`: what a classifier learns to predict."""
_DATASET_NAME: TypeAdapter[str] = TypeAdapter(DatasetSlug)
DOCUMENTS_SCOPE = "documents"
"""The scope of document models; a record model's scope is its dataset."""


class ModelKind(StrEnum):
    """What a model does."""

    DOCUMENT_CLASSIFIER = "document_classifier"
    DOCUMENT_TOPICS = "document_topics"
    RECORD_ANOMALY = "record_anomaly"


class ModelInfo(Message):
    """A trained model in the registry. At most one model per (kind, scope) is active."""

    id: UUID
    kind: ModelKind
    version: ModelVersion
    scope: str = Field(min_length=1, max_length=64, description="`documents`, or the dataset's name.")
    params: dict[str, JsonScalar]
    training_size: int = Field(ge=0)
    metrics: dict[str, float]
    artifact_sha256: Sha256 = Field(description="The skops artifact in the blob store.")
    created_at: datetime
    active: bool


class DocumentPrediction(Message):
    """A document model's output: a class label (classifier) or a topic number (topics)."""

    kind: ModelKind
    label: str | None = None
    topic: int | None = Field(default=None, ge=0)
    score: float = Field(ge=0.0, le=1.0, description="Class probability, or the topic's share.")
    keywords: list[str] = Field(default_factory=list)
    model_version: ModelVersion


class RecordScore(Message):
    """An anomaly model's output for one record: the higher the score, the more unusual."""

    anomaly_score: float
    is_anomaly: bool
    model_version: ModelVersion


class ModelPage(Message):
    """Models in the registry, newest first."""

    items: list[ModelInfo]
    total: int
    limit: int
    offset: int


class TrainModel(Message):
    """Train a model on the service's own data (a `train-model` run); registered inactive unless `activate`.

    `document_classifier` learns from labelled documents, `document_topics` from every stored
    document, `record_anomaly` from the records of the dataset named by `scope`.
    """

    kind: ModelKind
    scope: str = Field(
        default=DOCUMENTS_SCOPE, min_length=1, max_length=64, description="`documents`, or a dataset's name."
    )
    n_topics: int = Field(default=5, ge=2, le=100, description="Topics to fit (`document_topics` only).")
    contamination: float = Field(
        default=0.01, gt=0, le=0.5, description="Expected share of anomalies (`record_anomaly` only)."
    )
    seed: int = Field(default=0, ge=0, le=2**31 - 1)
    activate: bool = Field(
        default=False, description="Activate the model once it is registered (scorers switch within seconds)."
    )

    @model_validator(mode="after")
    def _scope_fits_kind(self) -> Self:
        if self.kind is ModelKind.RECORD_ANOMALY:
            try:
                _DATASET_NAME.validate_python(self.scope)
            except ValidationError:
                raise ValueError(f"a {self.kind} model's scope is a dataset's name") from None
        elif self.scope != DOCUMENTS_SCOPE:
            raise ValueError(f"a {self.kind} model's scope is `{DOCUMENTS_SCOPE}`")
        return self


class DocumentLabelled(Message):
    """A document's label: set through the API or carried by its upstream event."""

    doc_id: DocId
    label: Label | None
    labelled_by: str | None = Field(description="Who set it: a user's name, or `event:<source>`.")
    labelled_at: datetime | None


class SetDocumentLabel(Message):
    """Set a document's label (training data for the classifier); null removes it."""

    label: Label | None


class DocumentPredictions(Message):
    """A document's label and the latest prediction of each kind of document model."""

    doc_id: DocId
    label: str | None
    predictions: list[DocumentPrediction]
