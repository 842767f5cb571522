"""The Runs pages: the history of every run, and one run's live progress with its documents.

`static/js/run.js` follows the run over `/ws/progress?run_id=` and re-renders the documents
table (`GET /runs/{id}/documents`, htmx) when the counts change.
"""

from enum import StrEnum
from typing import Annotated, Any, TypeVar
from uuid import UUID

from litestar import Controller, Request, get
from litestar.exceptions import ValidationException
from litestar.params import FromPath, QueryParameter
from litestar.response import Template

from app.errors import NotFoundError
from app.runs.snapshot import snapshot_of
from app.runs.tasks import TASKS
from app.storage.run_documents import list_run_documents
from app.storage.runs import get_run, list_runs
from schemas.auth import Role
from schemas.runs import RunDocumentStatus, RunSnapshot, RunStatus
from web.controllers.runs import run_document_read
from web.pages.common import page
from web.security.access import requires
from web.services import DbSession

RUNS_PER_PAGE = 25
DOCUMENTS_PER_PAGE = 50
MAX_OFFSET = 2**31 - 1
StatusFilter = Annotated[str | None, QueryParameter(max_length=32)]
"""A status to filter by; empty (the filter form's "any") means none."""
S = TypeVar("S", bound=StrEnum)


class RunPages(Controller):
    """The run history and the page of one run."""

    path = "/runs"
    opt = requires(Role.VIEWER)
    include_in_schema = False

    @get("/", name="runs")
    async def runs_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        task: Annotated[str | None, QueryParameter(max_length=64)] = None,
        status: StatusFilter = None,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Template:
        """Every run, newest first, optionally of one task or status."""
        return page(
            request,
            "runs/index.html",
            **await history(db_session, task or None, chosen(RunStatus, status), offset),
        )

    @get("/rows", name="run-rows")
    async def run_rows_fragment(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        task: Annotated[str | None, QueryParameter(max_length=64)] = None,
        status: StatusFilter = None,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Template:
        """The history table alone, for htmx to swap in when a run changes."""
        return page(
            request,
            "runs/_table.html",
            **await history(db_session, task or None, chosen(RunStatus, status), offset),
        )

    @get("/{run_id:uuid}", name="run")
    async def run_page(
        self,
        request: Request[Any, Any, Any],
        run_id: FromPath[UUID],
        db_session: DbSession,
        document_status: StatusFilter = None,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Template:
        """One run: its live progress bar and counts, and its documents."""
        run = await find_run(db_session, run_id)
        documents = await run_documents(
            db_session, run.id, chosen(RunDocumentStatus, document_status), offset
        )
        return page(request, "runs/detail.html", run=run, **documents)

    @get("/{run_id:uuid}/documents", name="run-documents")
    async def run_documents_fragment(
        self,
        request: Request[Any, Any, Any],
        run_id: FromPath[UUID],
        db_session: DbSession,
        document_status: StatusFilter = None,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> Template:
        """The run's documents table alone, for htmx to swap in when the counts change."""
        run = await find_run(db_session, run_id)
        documents = await run_documents(
            db_session, run.id, chosen(RunDocumentStatus, document_status), offset
        )
        return page(request, "runs/_documents.html", run=run, **documents)


def chosen(kind: type[S], value: str | None) -> S | None:
    """The filter's status, None for "any"; 400 for a value that is not one."""
    if not value:
        return None
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationException(f"unknown status {value!r}: one of {allowed}") from None


async def find_run(session: DbSession, run_id: UUID) -> RunSnapshot:
    """The run's state, or NotFoundError (shown as a 404 page)."""
    row = await get_run(session, run_id)
    if row is None:
        raise NotFoundError("run not found")
    return snapshot_of(row)


async def history(
    session: DbSession, task: str | None, status: RunStatus | None, offset: int
) -> dict[str, Any]:
    """One page of runs and what the filters and pager need."""
    rows, total = await list_runs(session, limit=RUNS_PER_PAGE, offset=offset, task=task, status=status)
    return {
        "runs": [snapshot_of(row) for row in rows],
        "total": total,
        "offset": offset,
        "limit": RUNS_PER_PAGE,
        "task": task or "",
        "status": status.value if status else "",
        "tasks": list(TASKS.values()),
        "statuses": [status.value for status in RunStatus],
    }


async def run_documents(
    session: DbSession, run_id: UUID, status: RunDocumentStatus | None, offset: int
) -> dict[str, Any]:
    """One page of the run's documents and what the filter and pager need."""
    rows, total = await list_run_documents(
        session, run_id, limit=DOCUMENTS_PER_PAGE, offset=offset, status=status
    )
    documents = [run_document_read(row, filename) for row, filename in rows]
    return {
        "documents": documents,
        "documents_total": total,
        "offset": offset,
        "limit": DOCUMENTS_PER_PAGE,
        "document_status": status.value if status else "",
        "document_statuses": [status.value for status in RunDocumentStatus],
    }
