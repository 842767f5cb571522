"""Fixtures: a real web app over a real SQLite file, blob store and an in-memory Kafka test broker.

Every route needs credentials: `client` carries an admin's bearer token, `tokens` has one per role.
"""

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.call_wrapper import KafkaHandlerCallWrapper
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app import storage
from app.blobs import BlobStore
from app.kafka.readiness import GroupReadiness
from app.security.authentication import issue_token
from app.settings import Settings
from app.storage.users import add_user
from producers.documents import DocumentIntake
from producers.models import ModelCommands
from producers.records import RecordIntake
from producers.runs import RunCommands
from schemas.auth import Role
from schemas.dead_letters import DeadLettered, DeadLetterReason
from schemas.documents import DocumentStatus, DocumentSubmitted, Stage
from schemas.extraction import ExtractedTable, ExtractionResult, PageText
from schemas.topics import Topics
from web.app import create_app
from web.services import WebServices

SMALL_PDF = "pdfplumber/hello_structure.pdf"
OTHER_PDF = "pdfplumber/issue-140-example.pdf"
CONSUMER_GROUPS = ("headwater-clean", "headwater-extract", "headwater-store")
TEST_SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
TEST_HOST = "testserver.local"
"""The Host Litestar's test clients send; the app answers only allowed hosts."""
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$m8MuXw04yATXeDJ31xMLZA$Fblv0+JUex4p16cW7zMC2j07+VOd+KJX8E86xNmU4DU"
)
"""The argon2id hash of PASSWORD, computed once rather than per test (hashing takes ~50 ms)."""


def doc_id_of(seed: str) -> str:
    """A valid document id (a sha256 hex digest) made from `seed`."""
    return hashlib.sha256(seed.encode()).hexdigest()


@pytest.fixture
def small_pdf(corpus: Path) -> Path:
    """A small real PDF from the shared corpus."""
    return corpus / SMALL_PDF


@pytest.fixture
def other_pdf(corpus: Path) -> Path:
    """Another small real PDF, different bytes from `small_pdf`."""
    return corpus / OTHER_PDF


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose data (SQLite file and blobs) live in this test's tmp_path."""
    return Settings(
        data_dir=tmp_path,
        topic_namespace="webtest",
        max_upload_bytes=10 * 1024 * 1024,
        secret_key=TEST_SECRET_KEY,
        allowed_hosts=[TEST_HOST],
    )


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a freshly migrated SQLite database."""
    engine = storage.create_engine(settings.database_url)
    try:
        await storage.migrate(engine)
        yield storage.create_sessionmaker(engine)
    finally:
        await engine.dispose()


@dataclass(frozen=True)
class Ingest:
    """The test broker and the subscriber recording what was published on the ingest topic."""

    broker: KafkaBroker
    on_document_submitted: KafkaHandlerCallWrapper[Any, Any]


@pytest.fixture
async def ingest(settings: Settings) -> AsyncIterator[Ingest]:
    """An in-memory Kafka broker; tests assert on `on_document_submitted.mock` while it runs."""
    broker = KafkaBroker()

    @broker.subscriber(Topics(settings.topic_namespace).ingest_documents)
    async def on_document_submitted(event: DocumentSubmitted) -> None:
        """Record the event (the mock does the recording)."""

    async with TestKafkaBroker(broker) as test_broker:
        yield Ingest(broker=test_broker, on_document_submitted=on_document_submitted)


@pytest.fixture
def readiness() -> GroupReadiness:
    """Readiness of the three stage consumer groups, none of them joined yet."""
    groups = GroupReadiness()
    for name in CONSUMER_GROUPS:
        groups.listener(name)
    return groups


@pytest.fixture
def services(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    ingest: Ingest,
    readiness: GroupReadiness,
) -> WebServices:
    """The real web services: real database, blob store and intake, on the test broker."""
    blobs = BlobStore(settings.blob_dir)
    intake = DocumentIntake(
        sessions=sessions, blobs=blobs, broker=ingest.broker, topics=Topics(settings.topic_namespace)
    )
    topics = Topics(settings.topic_namespace)
    runs = RunCommands(sessions=sessions, broker=ingest.broker, topics=topics)
    return WebServices(
        settings=settings,
        sessions=sessions,
        blobs=blobs,
        intake=intake,
        readiness=readiness.pending,
        runs=runs,
        records=RecordIntake(broker=ingest.broker, topics=topics),
        models=ModelCommands(sessions=sessions, broker=ingest.broker, topics=topics, runs=runs),
    )


@pytest.fixture
async def tokens(sessions: async_sessionmaker[AsyncSession]) -> dict[Role, str]:
    """A user per role (named after it, password PASSWORD) and an API token of each."""
    issued = {}
    for role in Role:
        async with sessions.begin() as session:
            await add_user(session, name=role.value, password_hash=PASSWORD_HASH, role=role)
        issued[role] = (await issue_token(sessions, role.value, "tests", None)).secret
    return issued


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of an API client using `token`."""
    return {"Authorization": f"Bearer {token}"}


def as_role(client: AsyncTestClient[Any], tokens: dict[Role, str], role: Role) -> AsyncTestClient[Any]:
    """`client`, now sending the token of the user with `role` on every request."""
    client.headers.update(bearer(tokens[role]))
    return client


@pytest.fixture
async def client(services: WebServices, tokens: dict[Role, str]) -> AsyncIterator[AsyncTestClient[Any]]:
    """An HTTP client on the app built from `services`, authenticated as an admin."""
    async with AsyncTestClient(app=create_app(services)) as client:
        yield as_role(client, tokens, Role.ADMIN)


@pytest.fixture
async def anonymous(services: WebServices) -> AsyncIterator[AsyncTestClient[Any]]:
    """An HTTP client on the app built from `services`, without credentials."""
    async with AsyncTestClient(app=create_app(services)) as client:
        yield client


class Seeder:
    """Puts documents and dead letters in the database through the storage functions."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def document(self, seed: str, *, status: DocumentStatus = DocumentStatus.RECEIVED) -> str:
        """Register a document (then fail it, if asked) and return its id."""
        doc_id = doc_id_of(seed)
        async with self.sessions.begin() as session:
            await storage.register_document(
                session, doc_id=doc_id, filename=f"{seed}.pdf", source="api", size_bytes=1234, run_id=None
            )
            if status is DocumentStatus.FAILED:
                await storage.mark_document_failed(session, doc_id, "not a PDF")
        return doc_id

    async def stored_document(self, seed: str, tables: list[ExtractedTable]) -> str:
        """A document taken through every stage, with two pages (the second a scan) and `tables`."""
        doc_id = await self.document(seed)
        result = ExtractionResult(
            page_count=2,
            metadata={"Title": "Quarterly report"},
            pages=[
                PageText(number=1, text="Revenue grew.", has_text_layer=True, width=595.0, height=842.0),
                PageText(number=2, text="", has_text_layer=False, width=595.0, height=842.0),
            ],
            tables=tables,
        )
        async with self.sessions.begin() as session:
            for stage in Stage:
                await storage.mark_stage_started(session, doc_id, stage, worker="host:1")
            await storage.record_cleaned(session, doc_id, page_count=2, pages_without_text=[2])
            await storage.record_extracted(session, doc_id, "e" * 64)
            await storage.mark_stage_done(session, doc_id, Stage.CLEAN)
            await storage.store_extraction(session, doc_id, result)
            await storage.mark_stage_done(session, doc_id, Stage.STORE, output_ref="e" * 64)
        return doc_id

    async def dead_letter(
        self, stage: str, reason_code: DeadLetterReason, reason: str, doc_id: str | None = None
    ) -> UUID:
        """Record a dead letter and return its id."""
        letter = DeadLettered(
            id=uuid4(),
            stage=stage,
            topic=f"webtest.{stage}",
            reason_code=reason_code,
            reason=reason,
            doc_id=doc_id,
            payload_preview='{"blob_sha256": "..."}',
            occurred_at=datetime.now(UTC),
        )
        async with self.sessions.begin() as session:
            await storage.record_dead_letter(session, letter)
        return letter.id


@pytest.fixture
def seed(sessions: async_sessionmaker[AsyncSession]) -> Seeder:
    """Seeds the test database."""
    return Seeder(sessions)
