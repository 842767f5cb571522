"""Score stage work: the active document models' predictions for an extracted document.

The extraction result is read only when a model is active; without one the document passes on
unscored at once. A model fault is logged and the document stored unscored: predictions are an
addition to a document, never a reason to lose it.
"""

import anyio
import structlog

from app.ml.documents import predict_documents
from app.ml.model import TrainedModel
from app.ml.text import document_text
from app.pipeline.context import Pipeline
from app.pipeline.extract import load_result
from app.storage.stages import mark_stage_completed
from app.storage.tables import utcnow
from schemas.documents import DocumentExtracted, DocumentScored
from schemas.models import DOCUMENTS_SCOPE, DocumentPrediction, ModelKind

log = structlog.get_logger(__name__)
STAGE = "score"
DOCUMENT_KINDS = (ModelKind.DOCUMENT_CLASSIFIER, ModelKind.DOCUMENT_TOPICS)


async def score_document(pipeline: Pipeline, event: DocumentExtracted) -> DocumentScored:
    """Predict with every active document model (classifier, topics); none active: no predictions."""
    started_at = utcnow()
    models = [model for kind in DOCUMENT_KINDS if (model := await pipeline.models.get(kind, DOCUMENTS_SCOPE))]
    predictions: list[DocumentPrediction] = []
    if models:
        result = await load_result(pipeline, event.result_sha256)
        text = document_text(page.text for page in result.pages)
        try:
            predictions = await anyio.to_thread.run_sync(_predict, models, text)
        except Exception:
            log.exception("document scoring failed; storing the document unscored")
    async with pipeline.sessions.begin() as session:  # the whole attempt in one write
        await mark_stage_completed(
            session, event.doc_id, STAGE, pipeline.worker_id, started_at=started_at, run_id=event.run_id
        )
    return DocumentScored(**event.model_dump(), predictions=predictions)


def _predict(models: list[TrainedModel], text: str) -> list[DocumentPrediction]:
    return [predict_documents(model, [text])[0] for model in models]
