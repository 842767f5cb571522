"""The Documents pages: find documents (status, name, run, label), and read one.

A document's page shows where it came from (source, run, upload time), its stages, its
predictions with the model version, its tables (each downloadable as CSV through the API) and
the text of its pages, a slice at a time.
"""

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from app import storage
from app.storage.document_search import DocumentFilter, known_labels, search_documents
from app.storage.predictions import get_label, get_predictions
from schemas.auth import Role
from schemas.documents import DocumentStatus
from web.controllers.documents import BASE_PATH, find_document
from web.pages.common import page
from web.pages.query import optional_choice, optional_uuid
from web.security.access import requires
from web.services import DbSession

DOCUMENTS_PER_PAGE = 25
PAGES_PER_VIEW = 20
MAX_OFFSET = 2**31 - 1


class DocumentPages(Controller):
    """The document search and one document's page."""

    path = "/documents"
    opt = requires(Role.VIEWER)
    include_in_schema = False

    @get("/", name="documents")
    async def documents_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        status: Annotated[str, QueryParameter(max_length=16)] = "",
        name: Annotated[str | None, QueryParameter(max_length=255)] = None,
        run: Annotated[str, QueryParameter(max_length=64)] = "",
        label: Annotated[str | None, QueryParameter(max_length=100)] = None,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Template:
        """Documents matching the filters, newest first."""
        found = DocumentFilter(
            status=optional_choice(status, DocumentStatus, "status"),
            name=(name or "").strip() or None,
            run_id=optional_uuid(run, "run"),
            label=label or None,
        )
        rows, total = await search_documents(db_session, found, limit=DOCUMENTS_PER_PAGE, offset=offset)
        return page(
            request,
            "documents/index.html",
            documents=rows,
            total=total,
            offset=offset,
            limit=DOCUMENTS_PER_PAGE,
            filters={
                "status": found.status.value if found.status else "",
                "name": found.name or "",
                "run": str(found.run_id) if found.run_id else "",
                "label": found.label or "",
            },
            statuses=[status.value for status in DocumentStatus],
            labels=await known_labels(db_session),
        )

    @get("/{doc_id:str}", name="document")
    async def document_page(
        self,
        request: Request[Any, Any, Any],
        doc_id: FromPath[str],
        db_session: DbSession,
        pages_from: Annotated[int, QueryParameter(ge=1, le=MAX_OFFSET)] = 1,
    ) -> Template:
        """One document: provenance, stages, predictions, tables and a slice of its pages' text."""
        row = await find_document(db_session, doc_id)
        pages = await storage.get_pages(db_session, doc_id)
        label = await get_label(db_session, doc_id)
        shown = [p for p in pages if pages_from <= p.number < pages_from + PAGES_PER_VIEW]
        return page(
            request,
            "documents/detail.html",
            doc=row,
            label=label,
            stages=await storage.list_stages(db_session, doc_id),
            predictions=[p.prediction() for p in await get_predictions(db_session, doc_id)],
            tables=await storage.get_tables(db_session, doc_id),
            csv_base=f"{BASE_PATH}/{doc_id}/tables",
            pages=shown,
            page_total=len(pages),
            pages_from=pages_from,
            pages_per_view=PAGES_PER_VIEW,
        )
