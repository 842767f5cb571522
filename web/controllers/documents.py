"""Documents: upload a PDF, list documents, read one with its pages and tables, download a table as CSV."""

import csv
import io
import re
import unicodedata
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.params import FromPath, FromQuery, MultipartBody, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from app import storage
from app.errors import NotFoundError
from schemas.api import (
    DocumentAccepted,
    DocumentDetail,
    DocumentLinks,
    DocumentPage,
    DocumentSummary,
    PageRead,
    StageStatus,
    TableRead,
)
from schemas.auth import Role
from schemas.documents import DocumentStatus
from web.security.access import requires
from web.services import DbSession, Submitter

BASE_PATH = "/api/v1/documents"
UPLOAD_CHUNK_BYTES = 1024 * 1024
MAX_FILENAME_CHARS = 255
CSV_MEDIA_TYPE = "text/csv"  # Litestar appends "; charset=utf-8" to text/* types itself

_DOC_ID = re.compile(r"[0-9a-f]{64}")
# At most 9 digits: any match is a valid table index on every database (and never a huge int).
_TABLE_FILE = re.compile(r"(0|[1-9][0-9]{0,8})\.csv")
# Spreadsheets run a cell starting with one of these as a formula, so a crafted PDF could make
# whoever opens the CSV evaluate `=HYPERLINK(...)` or a DDE payload ("CSV injection", OWASP).
# A leading single quote makes Excel and LibreOffice show the cell as plain text instead.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_UNPRINTABLE = {"Cc", "Cf", "Cs"}  # controls, invisible format characters (bidi overrides), surrogates


@dataclass
class UploadForm:
    """The multipart form of an upload: the PDF in a part named `file`."""

    file: UploadFile


class DocumentController(Controller):
    """Upload, list and read documents."""

    path = BASE_PATH
    tags = ["documents"]
    opt = requires(Role.VIEWER)

    @post(
        "/",
        operation_id="UploadDocument",
        status_code=HTTP_202_ACCEPTED,
        raises=[RequestEntityTooLarge],
        opt=requires(Role.OPERATOR),
    )
    async def upload_document(
        self,
        data: MultipartBody[UploadForm],
        intake: Submitter,
    ) -> DocumentAccepted:
        """Store an uploaded PDF and queue it for processing; the same bytes twice are one document."""
        upload = data.file
        try:
            accepted = await intake.submit(
                read_chunks(upload), filename=sanitise_filename(upload.filename), source="api"
            )
        finally:
            await upload.close()
        return DocumentAccepted(
            doc_id=accepted.doc_id,
            status=accepted.status,
            duplicate=accepted.duplicate,
            run_id=accepted.run_id,
            links=DocumentLinks(self=f"{BASE_PATH}/{accepted.doc_id}"),
        )

    @get("/", operation_id="ListDocuments")
    async def list_documents(
        self,
        db_session: DbSession,
        status: FromQuery[DocumentStatus | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=2**31 - 1)] = 0,  # larger overflows the database
    ) -> DocumentPage:
        """One page of documents, newest first, optionally only those with one status."""
        rows, total = await storage.list_documents(db_session, status=status, limit=limit, offset=offset)
        items = [DocumentSummary(**summary_fields(row)) for row in rows]
        return DocumentPage(items=items, total=total, limit=limit, offset=offset)

    @get("/{doc_id:str}", operation_id="GetDocument", raises=[NotFoundException])
    async def get_document(self, doc_id: FromPath[str], db_session: DbSession) -> DocumentDetail:
        """A document with its metadata, stage progress, pages and tables."""
        row = await find_document(db_session, doc_id)
        stages = await storage.list_stages(db_session, doc_id)
        pages = await storage.get_pages(db_session, doc_id)
        tables = await storage.get_tables(db_session, doc_id)
        return DocumentDetail(
            **summary_fields(row),
            metadata=dict(row.metadata_ or {}),
            pages_without_text=list(row.pages_without_text or []),
            stages=[
                StageStatus(
                    stage=s.stage,
                    status=str(s.status),
                    attempts=s.attempts,
                    worker=s.worker,
                    error=s.error,
                    started_at=s.started_at,
                    finished_at=s.finished_at,
                )
                for s in stages
            ],
            pages=[PageRead(number=p.number, text=p.text, has_text_layer=p.has_text_layer) for p in pages],
            tables=[
                TableRead(
                    index=t.table_index,
                    page_number=t.page_number,
                    header=t.header,
                    rows=t.rows,
                    csv_url=f"{BASE_PATH}/{doc_id}/tables/{t.table_index}.csv",
                )
                for t in tables
            ],
        )

    @get(
        "/{doc_id:str}/tables/{table_file:str}",
        operation_id="DownloadTableCsv",
        media_type=CSV_MEDIA_TYPE,
        raises=[NotFoundException],
    )
    async def download_table_csv(
        self, doc_id: FromPath[str], table_file: FromPath[str], db_session: DbSession
    ) -> Response[str]:
        """One table as CSV (`<index>.csv`): its header row, then its rows."""
        match = _TABLE_FILE.fullmatch(table_file)
        if match is None or not _DOC_ID.fullmatch(doc_id):
            raise NotFoundError("table not found")
        index = int(match.group(1))
        table = await storage.get_table(db_session, doc_id, index)
        if table is None:
            raise NotFoundError("table not found")
        return Response(
            content=table_csv(table.header, table.rows),
            media_type=CSV_MEDIA_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{doc_id[:12]}-table-{index}.csv"'},
        )


async def find_document(session: AsyncSession, doc_id: str) -> storage.DocumentRow:
    """The document, or NotFoundError (also for ids that cannot be a sha256)."""
    row = await storage.get_document(session, doc_id) if _DOC_ID.fullmatch(doc_id) else None
    if row is None:
        raise NotFoundError("document not found")
    return row


def summary_fields(row: storage.DocumentRow) -> dict[str, Any]:
    """The `DocumentSummary` fields of a document row."""
    return {
        "doc_id": row.id,
        "filename": row.filename,
        "source": row.source,
        "status": row.status,
        "size_bytes": row.size_bytes,
        "page_count": row.page_count,
        "table_count": row.table_count,
        "error": row.error,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


async def read_chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    """The upload's bytes, 1 MiB at a time (Litestar spools big uploads to disk, not memory)."""
    while chunk := await upload.read(UPLOAD_CHUNK_BYTES):
        yield chunk


def sanitise_filename(raw: str | None) -> str | None:
    """The client's file name as a label: last path component, printable, at most 255 characters.

    It is never used as a path: blobs are named by their sha256.
    """
    name = re.split(r"[/\\]", raw or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _UNPRINTABLE)
    name = name.strip()[:MAX_FILENAME_CHARS].rstrip()
    return None if name in ("", ".", "..") else name


def table_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The table as CSV text, header first, every cell quoted as needed and formula-neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in (header, *rows):
        writer.writerow([neutralise_formula(cell) for cell in row])
    return buffer.getvalue()


def neutralise_formula(cell: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with a single quote (see `_FORMULA_PREFIXES`)."""
    return f"'{cell}" if cell.startswith(_FORMULA_PREFIXES) else cell
