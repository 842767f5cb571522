"""Runs: list and inspect them (viewers); cancel and retry them (operators)."""

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED

from app.errors import NotFoundError
from app.runs.snapshot import snapshot_of
from app.storage.run_documents import list_run_documents
from app.storage.run_tables import RunDocumentRow
from app.storage.runs import get_run, list_runs
from schemas.auth import Role
from schemas.runs import (
    RunDetail,
    RunDocumentRead,
    RunDocumentStatus,
    RunPage,
    RunSnapshot,
    RunStatus,
    StartedBy,
    TriggerKind,
)
from web.security.access import principal_of, requires
from web.services import DbSession, RunCommanding

MAX_OFFSET = 2**31 - 1
"""Larger offsets are refused (400) rather than overflowing a database integer."""


class RunController(Controller):
    """Start, stop and inspect runs."""

    path = "/api/v1/runs"
    tags = ["runs"]
    opt = requires(Role.VIEWER)

    @get("/", operation_id="ListRuns")
    async def list_runs(
        self,
        db_session: DbSession,
        task: Annotated[str | None, QueryParameter(min_length=1, max_length=64)] = None,
        status: FromQuery[RunStatus | None] = None,
        live: FromQuery[bool | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> RunPage:
        """One page of runs, newest first, optionally of one task, one status, live or not."""
        rows, total = await list_runs(
            db_session, limit=limit, offset=offset, task=task, status=status, live=live
        )
        return RunPage(items=[snapshot_of(row) for row in rows], total=total, limit=limit, offset=offset)

    @get("/{run_id:uuid}", operation_id="GetRun")
    async def get_run(
        self,
        run_id: FromPath[UUID],
        db_session: DbSession,
        document_status: FromQuery[RunDocumentStatus | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)] = 0,
    ) -> RunDetail:
        """A run's state (as on `/ws/progress`) and one page of its documents."""
        run = await get_run(db_session, run_id)
        if run is None:
            raise NotFoundError("run not found")
        rows, total = await list_run_documents(
            db_session, run_id, limit=limit, offset=offset, status=document_status
        )
        documents = [run_document_read(row, filename) for row, filename in rows]
        return RunDetail(
            run=snapshot_of(run), documents=documents, documents_total=total, limit=limit, offset=offset
        )

    @post(
        "/{run_id:uuid}/cancel",
        operation_id="CancelRun",
        status_code=HTTP_200_OK,
        opt=requires(Role.OPERATOR),
    )
    async def cancel_run(
        self, run_id: FromPath[UUID], runs: RunCommanding, request: Request[Any, Any, Any]
    ) -> RunSnapshot:
        """Stop a run. When this answers, no stage will store another document of it."""
        return await runs.cancel(run_id, caller(request))

    @post(
        "/{run_id:uuid}/retry",
        operation_id="RetryRun",
        status_code=HTTP_202_ACCEPTED,
        opt=requires(Role.OPERATOR),
    )
    async def retry_run(
        self, run_id: FromPath[UUID], runs: RunCommanding, request: Request[Any, Any, Any]
    ) -> RunSnapshot:
        """Start a new run of the same task over the documents that failed in this one."""
        return await runs.retry(run_id, caller(request))


def caller(request: Request[Any, Any, Any]) -> StartedBy:
    """Who is asking: a user (browser session) or an API token, by name."""
    principal = principal_of(request)
    if principal is None:
        return StartedBy(kind=TriggerKind.USER)
    if principal.via == "token":
        label = f"{principal.name} ({principal.token_label})" if principal.token_label else principal.name
        return StartedBy(kind=TriggerKind.API_TOKEN, name=label)
    return StartedBy(kind=TriggerKind.USER, name=principal.name)


def run_document_read(row: RunDocumentRow, filename: str | None) -> RunDocumentRead:
    """A run's document as the API and the dashboard show it."""
    return RunDocumentRead(
        doc_id=row.doc_id,
        filename=filename,
        status=row.status,
        stage=row.stage,
        error=row.error,
        updated_at=row.updated_at,
    )
