"""Document labels (training data) and document predictions (what the active models said).

One label per document; one prediction per document and model kind, replaced when a newer model
scores the document again. Migration 0002_ml creates both tables.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.models import MODEL_KIND_TYPE
from app.storage.tables import Base, DocumentRow, PageRow, UtcDateTime, table_of, utcnow
from app.storage.upsert import upsert
from schemas.documents import DocumentStatus
from schemas.models import DocumentPrediction, ModelKind


class DocumentLabelRow(Base):
    """A document's class, set by a person or carried by its upstream event."""

    __tablename__ = "document_labels"
    __table_args__ = (sa.Index("ix_document_labels_label", "label"),)

    doc_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    label: Mapped[str] = mapped_column(sa.String(100))
    labelled_by: Mapped[str | None] = mapped_column(sa.String(255))
    labelled_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DocumentPredictionRow(Base):
    """The latest prediction of one kind of document model for one document."""

    __tablename__ = "document_predictions"

    doc_id: Mapped[str] = mapped_column(
        sa.String(64), sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[ModelKind] = mapped_column(MODEL_KIND_TYPE, primary_key=True)
    model_version: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[str | None] = mapped_column(sa.String(100))
    topic: Mapped[int | None] = mapped_column(sa.Integer)
    score: Mapped[float] = mapped_column(sa.Float)
    keywords: Mapped[list[str]] = mapped_column(sa.JSON)
    predicted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    def prediction(self) -> DocumentPrediction:
        """The stored prediction as its wire model."""
        return DocumentPrediction(
            kind=self.kind,
            label=self.label,
            topic=self.topic,
            score=self.score,
            keywords=list(self.keywords),
            model_version=self.model_version,
        )


async def set_label(session: AsyncSession, doc_id: str, label: str | None, *, by: str | None) -> None:
    """Set (or, with None, remove) a document's label."""
    if label is None:
        await session.execute(sa.delete(DocumentLabelRow).where(DocumentLabelRow.doc_id == doc_id))
        return
    stmt = upsert(
        session, table_of(DocumentLabelRow), keys=["doc_id"], copy=["label", "labelled_by", "labelled_at"]
    )
    await session.execute(stmt.values(doc_id=doc_id, label=label, labelled_by=by, labelled_at=utcnow()))


async def get_label(session: AsyncSession, doc_id: str) -> DocumentLabelRow | None:
    """The document's label row, or None."""
    return await session.get(DocumentLabelRow, doc_id, populate_existing=True)


async def store_predictions(
    session: AsyncSession, doc_id: str, predictions: Sequence[DocumentPrediction]
) -> None:
    """Keep each prediction as the document's latest of its kind (a redelivery rewrites the same row)."""
    if not predictions:
        return
    stmt = upsert(
        session,
        table_of(DocumentPredictionRow),
        keys=["doc_id", "kind"],
        copy=["model_version", "label", "topic", "score", "keywords", "predicted_at"],
    )
    now = utcnow()
    await session.execute(
        stmt,
        [
            {
                "doc_id": doc_id,
                "kind": prediction.kind,
                "model_version": prediction.model_version,
                "label": prediction.label,
                "topic": prediction.topic,
                "score": prediction.score,
                "keywords": list(prediction.keywords),
                "predicted_at": now,
            }
            for prediction in predictions
        ],
    )


async def get_predictions(session: AsyncSession, doc_id: str) -> list[DocumentPredictionRow]:
    """The document's latest prediction of each kind."""
    rows = await session.scalars(
        sa.select(DocumentPredictionRow)
        .where(DocumentPredictionRow.doc_id == doc_id)
        .order_by(DocumentPredictionRow.kind)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def stored_document_pages(
    session: AsyncSession, *, labelled: bool, limit: int, max_page: int
) -> list[tuple[str, str | None, list[str]]]:
    """(doc id, label, texts of its first `max_page` pages) of the newest stored documents.

    With `labelled`, only documents that have a label. Models read a document's opening only
    (`app.ml.text.MAX_DOCUMENT_CHARS`), so later pages are never loaded.
    """
    documents = (
        sa.select(DocumentRow.id, DocumentLabelRow.label)
        .outerjoin(DocumentLabelRow, DocumentLabelRow.doc_id == DocumentRow.id)
        .where(DocumentRow.status == DocumentStatus.STORED)
        .order_by(DocumentRow.created_at.desc(), DocumentRow.id)
        .limit(limit)
    )
    if labelled:
        documents = documents.where(DocumentLabelRow.label.is_not(None))
    chosen = (await session.execute(documents)).all()
    labels = {doc_id: label for doc_id, label in chosen}
    pages: dict[str, list[str]] = {doc_id: [] for doc_id in labels}
    rows = await session.execute(
        sa.select(PageRow.doc_id, PageRow.text)
        .where(PageRow.doc_id.in_(list(labels)), PageRow.number <= max_page)
        .order_by(PageRow.doc_id, PageRow.number)
    )
    for doc_id, text in rows:
        pages[doc_id].append(text)
    return [(doc_id, labels[doc_id], pages[doc_id]) for doc_id, _ in chosen]
