"""HTTP API bodies: what `/api/v1/*` and `/health/*` answer. The API is versioned by its path."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from schemas.base import DocId, Message
from schemas.dead_letters import DeadLetterReason, DeadLetterStatus
from schemas.documents import DocumentStatus


class DocumentLinks(Message):
    """Where to find a document in the API."""

    self: str = Field(description="The document's own URL.", examples=["/api/v1/documents/<doc_id>"])


class DocumentAccepted(Message):
    """An upload was stored and registered; processing continues in the background."""

    doc_id: DocId
    status: DocumentStatus
    duplicate: bool = Field(description="True when these exact bytes were uploaded before.")
    run_id: UUID | None = Field(
        default=None, description="The run the document belongs to; follow it on `/ws/progress?run_id=`."
    )
    links: DocumentLinks


class DocumentSummary(Message):
    """A document as it appears in a listing."""

    doc_id: DocId
    filename: str | None = Field(description="The uploader's name for the file: a label, never a path.")
    source: str
    status: DocumentStatus
    size_bytes: int
    page_count: int | None
    table_count: int | None
    error: str | None = Field(description="Why the document failed, when its status is `failed`.")
    created_at: datetime
    updated_at: datetime


class DocumentPage(Message):
    """One page of a document listing, newest first."""

    items: list[DocumentSummary]
    total: int = Field(description="How many documents match, across every page.")
    limit: int
    offset: int


class StageStatus(Message):
    """Progress of one pipeline stage for one document."""

    stage: str
    status: str = Field(examples=["running", "done", "failed"])
    attempts: int
    worker: str | None = Field(description="`host:pid` of the worker that ran the stage last.")
    error: str | None
    started_at: datetime
    finished_at: datetime | None


class PageRead(Message):
    """The normalised text of one page."""

    number: int = Field(ge=1)
    text: str
    has_text_layer: bool = Field(description="False for a scanned page: its text is empty.")


class TableRead(Message):
    """One extracted table; `csv_url` downloads it."""

    index: int = Field(ge=0)
    page_number: int = Field(ge=1)
    header: list[str]
    rows: list[list[str]]
    csv_url: str


class DocumentDetail(DocumentSummary):
    """A document with its metadata, stage progress, pages and tables."""

    metadata: dict[str, str]
    pages_without_text: list[int] = Field(description="1-based numbers of pages with no text layer.")
    stages: list[StageStatus]
    pages: list[PageRead]
    tables: list[TableRead]


class DeadLetterRead(Message):
    """An input a stage gave up on, and why."""

    id: UUID
    stage: str
    topic: str
    reason_code: DeadLetterReason
    reason: str
    doc_id: DocId | None
    run_id: UUID | None
    payload_preview: str
    occurred_at: datetime
    status: DeadLetterStatus = DeadLetterStatus.OPEN
    resolved_at: datetime | None = Field(default=None, description="When it was retried or discarded.")
    resolved_by: str | None = Field(default=None, description="Who retried or discarded it.")
    retry_run_id: UUID | None = Field(default=None, description="The run retrying its document, if any.")


class DeadLetterPage(Message):
    """One page of dead letters, newest first."""

    items: list[DeadLetterRead]
    total: int
    limit: int
    offset: int


class Liveness(Message):
    """The process answers."""

    status: Literal["ok"] = "ok"


class Readiness(Message):
    """Whether the process can do its work; `waiting_for` names what is not ready yet."""

    status: Literal["ready", "starting"]
    waiting_for: list[str] = Field(default_factory=list)
