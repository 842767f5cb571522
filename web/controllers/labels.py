"""Document labels (training data for the classifier) and the predictions stored with a document."""

from typing import Any

from litestar import Controller, Request, get, put
from litestar.params import FromPath, JSONBody

from app.storage.predictions import get_label, get_predictions, set_label
from schemas.auth import Role
from schemas.models import DocumentLabelled, DocumentPredictions, SetDocumentLabel
from web.controllers.documents import find_document
from web.controllers.runs import caller
from web.security.access import requires
from web.services import DbSession, Services


class DocumentLabelController(Controller):
    """Label documents and read their predictions."""

    path = "/api/v1/documents"
    tags = ["documents"]
    opt = requires(Role.VIEWER)

    @put("/{doc_id:str}/label", operation_id="SetDocumentLabel", opt=requires(Role.OPERATOR))
    async def set_document_label(
        self,
        doc_id: FromPath[str],
        data: JSONBody[SetDocumentLabel],
        services: Services,
        request: Request[Any, Any, Any],
    ) -> DocumentLabelled:
        """Set the document's label (null removes it); the next classifier trained learns from it."""
        async with services.sessions.begin() as session:
            await find_document(session, doc_id)
            await set_label(session, doc_id, data.label, by=caller(request).name)
            row = await get_label(session, doc_id)
        return DocumentLabelled(
            doc_id=doc_id,
            label=None if row is None else row.label,
            labelled_by=None if row is None else row.labelled_by,
            labelled_at=None if row is None else row.labelled_at,
        )

    @get("/{doc_id:str}/predictions", operation_id="GetDocumentPredictions")
    async def get_document_predictions(
        self, doc_id: FromPath[str], db_session: DbSession
    ) -> DocumentPredictions:
        """The document's label and the latest prediction of each active kind of model, with its version."""
        await find_document(db_session, doc_id)
        label = await get_label(db_session, doc_id)
        rows = await get_predictions(db_session, doc_id)
        return DocumentPredictions(
            doc_id=doc_id,
            label=None if label is None else label.label,
            predictions=[row.prediction() for row in rows],
        )
