"""At-least-once delivery, exactly-once effect: a redelivered message changes nothing."""

import asyncio
from pathlib import Path

import pytest

from schemas.documents import DocumentCleaned, DocumentSubmitted
from tests.e2e.harness import Service

pytestmark = [pytest.mark.broker]


async def test_redelivered_events_do_no_work_twice_and_leave_the_same_rows(
    service: Service, corpus: Path
) -> None:
    doc_id = await service.upload(corpus / "pdfplumber/senate-expenditures.pdf")
    before = (await service.wait_until_final([doc_id]))[doc_id]
    topics = service.core.topics
    replayed_clean = DocumentSubmitted(blob_sha256=doc_id, filename="senate-expenditures.pdf", source="api")
    replayed_extract = DocumentCleaned(
        doc_id=doc_id,
        filename="senate-expenditures.pdf",
        size_bytes=before["size_bytes"],
        page_count=before["page_count"],
    )

    await service.producer.publish(replayed_clean, topics.ingest_documents, key=doc_id.encode())
    await service.producer.publish(replayed_extract, topics.documents_cleaned, key=doc_id.encode())
    await asyncio.sleep(3)  # both replays flow through every stage well within this
    after = (await service.client.get(f"/api/v1/documents/{doc_id}")).json()

    attempts = {stage["stage"]: stage["attempts"] for stage in after["stages"]}
    assert attempts["clean"] == 1 and attempts["extract"] == 1
    assert after["pages"] == before["pages"]
    assert after["tables"] == before["tables"]
    assert after["status"] == "stored"
    dead = (await service.client.get("/api/v1/dead-letters")).json()
    assert dead["total"] == 0
