"""What rescoring and automatic training read: documents' stored extraction results, records page by
page, scores written back, and how many items arrived since a model was trained."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.models import ModelRow
from app.storage.records import RecordRow
from app.storage.tables import DocumentRow, DocumentStageRow, StageStatus
from schemas.documents import DocumentStatus, Stage
from schemas.models import ModelKind, RecordScore


async def extraction_results(session: AsyncSession, doc_ids: Sequence[str]) -> dict[str, str]:
    """doc id -> sha256 of its stored extraction result, for those of `doc_ids` that were extracted."""
    rows = await session.execute(
        sa.select(DocumentStageRow.doc_id, DocumentStageRow.output_ref).where(
            DocumentStageRow.doc_id.in_(doc_ids),
            DocumentStageRow.stage == Stage.EXTRACT,
            DocumentStageRow.status == StageStatus.DONE,
            DocumentStageRow.output_ref.is_not(None),
        )
    )
    return {doc_id: ref for doc_id, ref in rows if ref}


async def record_page(
    session: AsyncSession, dataset: str, *, after: str, limit: int
) -> list[tuple[str, dict[str, Any]]]:
    """(key, data) of the dataset's next `limit` records after key `after`, by key."""
    rows = await session.execute(
        sa.select(RecordRow.record_key, RecordRow.data)
        .where(RecordRow.dataset == dataset, RecordRow.record_key > after)
        .order_by(RecordRow.record_key)
        .limit(limit)
    )
    return [(key, dict(data)) for key, data in rows]


async def set_record_scores(
    session: AsyncSession, dataset: str, scores: Sequence[tuple[str, RecordScore]]
) -> None:
    """Write each record's new anomaly score, flag and model version (its data stays as it is)."""
    if not scores:
        return
    await session.execute(
        sa.update(RecordRow),
        [
            {
                "dataset": dataset,
                "record_key": key,
                "anomaly_score": score.anomaly_score,
                "is_anomaly": score.is_anomaly,
                "model_version": score.model_version,
            }
            for key, score in scores
        ],
    )


async def newest_model(session: AsyncSession, kind: ModelKind, scope: str) -> ModelRow | None:
    """The most recently registered model of a kind and scope: what the last training saw."""
    return await session.scalar(
        sa.select(ModelRow)
        .where(ModelRow.kind == kind, ModelRow.scope == scope)
        .order_by(ModelRow.created_at.desc(), ModelRow.id)
        .limit(1)
    )


async def active_models(session: AsyncSession) -> list[ModelRow]:
    """Every active model (one per kind and scope at most)."""
    rows = await session.scalars(
        sa.select(ModelRow).where(ModelRow.active.is_(True)).order_by(ModelRow.kind, ModelRow.scope)
    )
    return list(rows)


async def stored_documents_since(session: AsyncSession, since: datetime) -> int:
    """How many stored documents arrived after `since`."""
    stmt = sa.select(sa.func.count()).where(
        DocumentRow.status == DocumentStatus.STORED, DocumentRow.created_at > since
    )
    return await session.scalar(stmt) or 0


async def records_since(session: AsyncSession, dataset: str, since: datetime) -> int:
    """How many records of a dataset were first seen after `since`."""
    stmt = sa.select(sa.func.count()).where(RecordRow.dataset == dataset, RecordRow.ingested_at > since)
    return await session.scalar(stmt) or 0
