"""Retrying and discarding dead letters: operators act, the row stays with who did what and when."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.call_wrapper import KafkaHandlerCallWrapper
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import storage
from app.settings import Settings
from schemas.auth import Role
from schemas.dead_letters import DeadLettered, DeadLetterReason
from schemas.documents import DocumentStatus, DocumentSubmitted
from schemas.records import RecordsSubmitted
from schemas.topics import Topics
from tests.web.conftest import Ingest, Seeder, as_role

DEAD_LETTERS = "/api/v1/dead-letters"


@dataclass(frozen=True)
class Published:
    """The test broker, recording what reaches the documents and records ingest topics."""

    broker: KafkaBroker
    documents: KafkaHandlerCallWrapper[Any, Any]
    records: KafkaHandlerCallWrapper[Any, Any]


@pytest.fixture
async def published(settings: Settings) -> AsyncIterator[Published]:
    """An in-memory Kafka broker with subscribers on both ingest topics."""
    broker = KafkaBroker()
    topics = Topics(settings.topic_namespace)

    @broker.subscriber(topics.ingest_documents)
    async def on_document_submitted(event: DocumentSubmitted) -> None:
        """Recorded by the mock."""

    @broker.subscriber(topics.ingest_records)
    async def on_records_submitted(event: RecordsSubmitted) -> None:
        """Recorded by the mock."""

    async with TestKafkaBroker(broker) as test_broker:
        yield Published(test_broker, on_document_submitted, on_records_submitted)


@pytest.fixture
def ingest(published: Published) -> Ingest:
    """The web services publish on the broker of `published`."""
    return Ingest(broker=published.broker, on_document_submitted=published.documents)


async def rejected_record(sessions: async_sessionmaker[AsyncSession], payload: str) -> UUID:
    """An `invalid_record` dead letter of the validate-records stage, keeping `payload`."""
    letter = DeadLettered(
        id=uuid4(),
        stage="validate-records",
        topic="webtest.ingest.records",
        reason_code=DeadLetterReason.INVALID_RECORD,
        reason="Record 0 of a batch for 'orders': column 'amount': expected a number, got 'lots'",
        payload_preview=payload,
        occurred_at=datetime.now(UTC),
    )
    async with sessions.begin() as session:
        await storage.record_dead_letter(session, letter)
    return letter.id


async def test_retrying_a_documents_letter_starts_a_full_pipeline_run_of_it(
    client: AsyncTestClient[Any], seed: Seeder
) -> None:
    doc_id = await seed.document("broken", status=DocumentStatus.FAILED)
    letter_id = await seed.dead_letter("extract", DeadLetterReason.TIMEOUT, "took too long", doc_id)

    response = await client.post(f"{DEAD_LETTERS}/{letter_id}/retry")

    assert response.status_code == 202
    retried = response.json()
    assert (retried["status"], retried["resolved_by"]) == ("retried", "admin (tests)")
    assert retried["resolved_at"] is not None
    run = (await client.get(f"/api/v1/runs/{retried['retry_run_id']}")).json()["run"]
    assert run["task"] == "full-pipeline"
    assert run["status"] == "queued"


async def test_retrying_a_rejected_record_publishes_it_again(
    client: AsyncTestClient[Any], sessions: async_sessionmaker[AsyncSession], published: Published
) -> None:
    payload = json.dumps(
        {"dataset": "orders", "batch": "ab12", "row": 0, "record": {"id": 1, "amount": "12.5"}}
    )
    letter_id = await rejected_record(sessions, payload)

    response = await client.post(f"{DEAD_LETTERS}/{letter_id}/retry")

    assert response.status_code == 202
    assert (response.json()["status"], response.json()["retry_run_id"]) == ("retried", None)
    event = RecordsSubmitted.model_validate(published.records.mock.call_args.args[0])
    assert (event.dataset, event.records, event.source) == (
        "orders",
        [{"id": 1, "amount": "12.5"}],
        "dead-letter-retry",
    )


async def test_a_letter_without_a_stored_input_cannot_be_retried_and_stays_open(
    client: AsyncTestClient[Any], seed: Seeder
) -> None:
    letter_id = await seed.dead_letter("clean", DeadLetterReason.INVALID_EVENT, "not JSON")

    response = await client.post(f"{DEAD_LETTERS}/{letter_id}/retry")

    assert response.status_code == 409
    assert "must send it again" in response.json()["detail"]
    listed = (await client.get(DEAD_LETTERS)).json()["items"]
    assert [item["status"] for item in listed] == ["open"]


async def test_a_truncated_record_cannot_be_retried(
    client: AsyncTestClient[Any], sessions: async_sessionmaker[AsyncSession]
) -> None:
    letter_id = await rejected_record(sessions, '{"dataset": "orders", "record": {"note": "aaaa')

    response = await client.post(f"{DEAD_LETTERS}/{letter_id}/retry")

    assert response.status_code == 409
    assert "too large" in response.json()["detail"]


async def test_a_letter_of_a_document_never_stored_cannot_be_retried(
    client: AsyncTestClient[Any], seed: Seeder
) -> None:
    letter_id = await seed.dead_letter("clean", DeadLetterReason.NOT_PDF, "not a PDF", "f" * 64)

    response = await client.post(f"{DEAD_LETTERS}/{letter_id}/retry")

    assert response.status_code == 409
    assert "never stored" in response.json()["detail"]


async def test_discarding_keeps_the_letter_marked_and_it_cannot_be_retried_after(
    client: AsyncTestClient[Any], tokens: dict[Role, str], seed: Seeder
) -> None:
    letter_id = await seed.dead_letter("clean", DeadLetterReason.EMPTY, "empty file")
    operator = as_role(client, tokens, Role.OPERATOR)

    discarded = await operator.post(f"{DEAD_LETTERS}/{letter_id}/discard")
    retried = await operator.post(f"{DEAD_LETTERS}/{letter_id}/retry")

    assert discarded.status_code == 200
    assert (discarded.json()["status"], discarded.json()["resolved_by"]) == ("discarded", "operator (tests)")
    assert retried.status_code == 409
    assert retried.json()["detail"] == "The dead letter was already discarded by operator (tests)."
    page = (await operator.get(DEAD_LETTERS, params={"status": "discarded"})).json()
    assert [item["id"] for item in page["items"]] == [str(letter_id)]
    assert (await operator.get(DEAD_LETTERS, params={"status": "open"})).json()["total"] == 0


async def test_an_unknown_letter_is_404(client: AsyncTestClient[Any]) -> None:
    for action in ("retry", "discard"):
        response = await client.post(f"{DEAD_LETTERS}/{uuid4()}/{action}")
        assert response.status_code == 404


async def test_viewers_cannot_retry_or_discard(
    client: AsyncTestClient[Any], tokens: dict[Role, str], seed: Seeder
) -> None:
    letter_id = await seed.dead_letter("clean", DeadLetterReason.EMPTY, "empty file")
    viewer = as_role(client, tokens, Role.VIEWER)

    assert (await viewer.post(f"{DEAD_LETTERS}/{letter_id}/retry")).status_code == 403
    assert (await viewer.post(f"{DEAD_LETTERS}/{letter_id}/discard")).status_code == 403
