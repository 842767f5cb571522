"""What the reconciler needs on start: documents that stopped mid-pipeline, and how far they got."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.storage.tables import DocumentRow, DocumentStageRow, StageStatus
from schemas.documents import DocumentStatus

FINAL_STATUSES = (DocumentStatus.STORED, DocumentStatus.FAILED)


@dataclass(frozen=True, slots=True)
class UnfinishedDocument:
    """A document that is neither stored nor failed, with the stages it has completed."""

    document: DocumentRow
    done_stages: frozenset[str] = frozenset()
    output_refs: Mapping[str, str | None] = field(default_factory=dict)
    """What each done stage produced, e.g. `{"extract": <result sha256>}`."""


async def find_unfinished_documents(session: AsyncSession) -> list[UnfinishedDocument]:
    """Every document not yet stored or failed, oldest first, with its done stages."""
    documents = list(
        await session.scalars(
            select(DocumentRow)
            .where(DocumentRow.status.not_in(FINAL_STATUSES))
            .order_by(DocumentRow.created_at, DocumentRow.id)
            .execution_options(populate_existing=True)
        )
    )
    done = await session.execute(
        select(DocumentStageRow.doc_id, DocumentStageRow.stage, DocumentStageRow.output_ref)
        .join(DocumentRow, DocumentRow.id == DocumentStageRow.doc_id)
        .where(
            DocumentRow.status.not_in(FINAL_STATUSES),
            DocumentStageRow.status == StageStatus.DONE,
        )
    )
    refs: dict[str, dict[str, str | None]] = {}
    for doc_id, stage, output_ref in done:
        refs.setdefault(doc_id, {})[stage] = output_ref
    return [
        UnfinishedDocument(
            document=row,
            done_stages=frozenset(refs.get(row.id, {})),
            output_refs=refs.get(row.id, {}),
        )
        for row in documents
    ]
