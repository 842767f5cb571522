"""Document models: a supervised classifier (`app.ml.classifier`) or unsupervised topics
(`app.ml.topics`), and the predictions stored with every document.

Every model reads at most the first `MAX_DOCUMENT_CHARS` characters of a document
(`app.ml.text`); build a document's text from its pages with `document_text`.
"""

from collections.abc import Sequence

from app.ml.classifier import predict_labels, train_classifier
from app.ml.model import TrainedModel, require_kind
from app.ml.text import bounded, document_text
from app.ml.topics import fit_topics, predict_topics
from schemas.models import DocumentPrediction, ModelKind

__all__ = ["document_text", "fit_topics", "predict_documents", "train_classifier"]


def predict_documents(model: TrainedModel, texts: Sequence[str]) -> list[DocumentPrediction]:
    """One prediction per text: its label and probability, or its top topic and share."""
    require_kind(model, ModelKind.DOCUMENT_CLASSIFIER, ModelKind.DOCUMENT_TOPICS)
    if not texts:
        return []
    if model.kind is ModelKind.DOCUMENT_TOPICS:
        return predict_topics(model, bounded(texts))
    return predict_labels(model, bounded(texts))
