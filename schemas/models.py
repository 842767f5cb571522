"""Machine-learning models: the registry entry of a trained model and the predictions it makes."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field

from schemas.base import Message, Sha256
from schemas.records import JsonScalar

ModelVersion = Annotated[str, Field(min_length=1, max_length=64)]
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
