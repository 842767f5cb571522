"""Document events: ingest.documents -> documents.cleaned -> documents.extracted -> documents.scored
-> documents.stored."""

import base64
import binascii
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Self
from uuid import UUID

from pydantic import AnyHttpUrl, Field, model_validator

from schemas.base import DocId, Event, Sha256
from schemas.models import DocumentPrediction, Label

Filename = Annotated[str, Field(min_length=1, max_length=255)]
MAX_INLINE_CONTENT_BYTES = 512 * 1024
"""Base64 `content` is for small files; larger ones travel as a `url` (claim check)."""


class Stage(StrEnum):
    """A pipeline stage."""

    CLEAN = "clean"
    EXTRACT = "extract"
    STORE = "store"


class DocumentStatus(StrEnum):
    """Where a document is in the pipeline; `stored` and `failed` are final."""

    RECEIVED = "received"
    CLEANED = "cleaned"
    EXTRACTED = "extracted"
    STORED = "stored"
    FAILED = "failed"


class DocumentSubmitted(Event):
    """A document to process. Exactly one of `blob_sha256`, `content` or `url` says where its bytes are.

    Upstream systems send `content` (base64, at most 512 KiB decoded) or `url`; Headwater's own
    producers have already written the bytes to the blob store and send `blob_sha256`.
    """

    run_id: UUID | None = None
    filename: Filename | None = None
    source: Annotated[str, Field(min_length=1, max_length=100)] = "upstream"
    blob_sha256: Sha256 | None = None
    content: str | None = Field(default=None, description="Base64 of the PDF bytes.")
    url: AnyHttpUrl | None = None
    submitted_at: datetime | None = None
    label: Label | None = Field(
        default=None, description="The document's class, known upstream: training data for the classifier."
    )

    @model_validator(mode="after")
    def _exactly_one_location(self) -> Self:
        given = [f for f in ("blob_sha256", "content", "url") if getattr(self, f) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of blob_sha256, content or url")
        if self.content is not None:
            if len(self.content) > MAX_INLINE_CONTENT_BYTES * 4 // 3 + 4:
                raise ValueError("content is over 512 KiB; publish a url instead")
            try:
                base64.b64decode(self.content, validate=True)
            except binascii.Error as exc:
                raise ValueError(f"content is not valid base64: {exc}") from exc
        return self

    def inline_bytes(self) -> bytes:
        """The decoded `content`."""
        assert self.content is not None
        return base64.b64decode(self.content, validate=True)


class DocumentCleaned(Event):
    """A document passed validation: a readable PDF within the limits, its bytes in the blob store."""

    doc_id: DocId
    run_id: UUID | None = None
    filename: Filename | None = None
    size_bytes: int
    page_count: int
    pages_without_text: list[int] = Field(
        default_factory=list, description="1-based numbers of pages with no text layer (scans)."
    )


class DocumentExtracted(Event):
    """Text, tables and metadata were extracted; the full result is the blob `result_sha256`."""

    doc_id: DocId
    run_id: UUID | None = None
    result_sha256: Sha256
    page_count: int
    table_count: int


class DocumentScored(DocumentExtracted):
    """The active document models' predictions for an extracted document; none while no model is active."""

    predictions: list[DocumentPrediction] = Field(default_factory=list)


class DocumentStored(Event):
    """A document's pages, tables and metadata are in the database."""

    doc_id: DocId
    run_id: UUID | None = None
    page_count: int
    table_count: int
    stored_at: datetime
