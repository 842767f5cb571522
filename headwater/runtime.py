"""The composition root: builds the resources of a process and starts the parts it was asked to run."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

import httpx
import structlog
from faststream.kafka import KafkaBroker
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.kafka.embedded import embedded_broker
from app.kafka.readiness import GroupReadiness
from app.kafka.topics import ensure_topics
from app.pipeline.context import Pipeline, worker_identity
from app.pipeline.extractor import Extractor
from app.settings import Settings
from app.storage.engine import create_engine, create_sessionmaker
from app.storage.migrate import migrate
from consumers.registry import STAGES
from producers.documents import DocumentIntake
from schemas.topics import Topics
from web.app import create_app
from web.services import WebServices

log = structlog.get_logger(__name__)
GROUP_JOIN_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Core:
    """Resources every Headwater process has: the database and the blob store."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    blobs: BlobStore
    topics: Topics


@contextlib.asynccontextmanager
async def open_core(settings: Settings) -> AsyncIterator[Core]:
    """Open the database (migrated to the latest schema) and the blob store."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database_url)
    try:
        await migrate(engine)
        yield Core(
            settings=settings,
            engine=engine,
            sessions=create_sessionmaker(engine),
            blobs=BlobStore(settings.blob_dir),
            topics=Topics(settings.topic_namespace),
        )
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def kafka(settings: Settings, *, embedded: bool) -> AsyncIterator[str]:
    """Yield bootstrap servers: the configured cluster, or an embedded broker run for the block."""
    if settings.kafka_bootstrap_servers or not embedded:
        yield settings.kafka_bootstrap_servers or settings.embedded_kafka_address
        return
    log_file = settings.data_dir / "broker.log"
    async with embedded_broker(
        settings.embedded_kafka_host, settings.embedded_kafka_port, log_file
    ) as address:
        yield address


def new_broker(bootstrap: str, client_id: str) -> KafkaBroker:
    """A FastStream Kafka broker (aiokafka underneath), never idempotent: Tansu refuses that."""
    return KafkaBroker(
        bootstrap,
        client_id=client_id,
        enable_idempotence=False,
        logger=logging.getLogger(f"headwater.kafka.{client_id}"),
        log_level=logging.DEBUG,  # per-message "Received/Processed" lines are debug detail
    )


@contextlib.asynccontextmanager
async def publisher(core: Core, bootstrap: str) -> AsyncIterator[KafkaBroker]:
    """A connected broker used only to publish (uploads, the reconciler); creates missing topics."""
    await ensure_topics(bootstrap, core.topics, core.settings.topic_partitions)
    broker = new_broker(bootstrap, "headwater-producer")
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()


@contextlib.asynccontextmanager
async def stage_workers(
    core: Core, bootstrap: str, stage_names: Sequence[str], readiness: GroupReadiness
) -> AsyncIterator[None]:
    """Run the named stages, each on its own broker so their group joins (~5 s each) overlap."""
    settings = core.settings
    await ensure_topics(bootstrap, core.topics, settings.topic_partitions)
    extractor = Extractor(settings.extract_workers, settings.extract_timeout_seconds)
    async with httpx.AsyncClient(timeout=settings.fetch_timeout_seconds) as http:
        pipeline = Pipeline(
            settings=settings,
            sessions=core.sessions,
            blobs=core.blobs,
            topics=core.topics,
            extractor=extractor,
            http=http,
            worker_id=worker_identity(),
        )
        brokers = []
        for name in stage_names:
            broker = new_broker(bootstrap, f"headwater-{name}")
            broker.include_router(STAGES[name](pipeline, readiness))
            brokers.append(broker)
        try:
            warm_up = [extractor.warm_up()] if "extract" in stage_names else []
            await asyncio.gather(*warm_up, *(broker.start() for broker in brokers))
            log.info("stages running", stages=list(stage_names))
            yield
        finally:
            # Pool first: in-flight extractions are abandoned (never committed), so stopping the
            # consumers does not wait for a long PDF to finish.
            await asyncio.to_thread(extractor.close)
            await asyncio.gather(*(broker.stop() for broker in brokers), return_exceptions=True)


def build_web_app(core: Core, producer: KafkaBroker, readiness: GroupReadiness) -> Litestar:
    """The Litestar app, wired to this process's database, blob store and producer."""
    intake = DocumentIntake(sessions=core.sessions, blobs=core.blobs, broker=producer, topics=core.topics)
    services = WebServices(
        settings=core.settings,
        sessions=core.sessions,
        blobs=core.blobs,
        intake=intake,
        readiness=readiness.pending,
    )
    return create_app(services)
