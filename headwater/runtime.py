"""The composition root: builds the resources of a process and starts the parts it was asked to run."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx
import structlog
from faststream.kafka import KafkaBroker
from litestar import Litestar
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.blobs import BlobStore
from app.kafka.broadcast import pin_to_latest
from app.kafka.embedded import embedded_broker
from app.kafka.readiness import GroupReadiness
from app.kafka.topics import ensure_topics
from app.pipeline.context import Pipeline, worker_identity
from app.pipeline.extractor import Extractor
from app.registry.cache import ActiveModels
from app.runs.gate import RunGate
from app.security.accounts import ensure_admin
from app.security.secrets import resolve_secret_key
from app.settings import Settings
from app.storage.engine import create_engine, create_sessionmaker
from app.storage.migrate import migrate
from consumers import control
from consumers.registry import STAGES
from producers.auto_training import RunUpkeep
from producers.documents import DocumentIntake
from producers.fetch import NewDataFetcher
from producers.launch import RunLauncher
from producers.models import ModelCommands
from producers.records import RecordIntake
from producers.rescore_run import RescoreRuns
from producers.runs import RunCommands
from producers.scheduler import Scheduler
from producers.training_run import TrainingRuns
from schemas.topics import Topics
from web.app import create_app
from web.progress.feed import progress_feed
from web.progress.hub import ProgressHub
from web.services import WebServices

log = structlog.get_logger(__name__)
GROUP_JOIN_TIMEOUT_SECONDS = 60.0
RUN_SWEEP_SECONDS = 5.0
"""How often a worker launches runs whose start command nobody heard, and closes past live runs."""


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
    """Run the named stages, each on its own broker so their group joins (~5 s each) overlap.

    Every worker process also hears the control topic (no group: it joins at once) and launches runs.
    """
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
            runs=RunGate(core.sessions),
            models=ActiveModels(core.sessions, core.blobs),
        )
        control_broker = new_broker(bootstrap, "headwater-control")
        fetcher = NewDataFetcher.for_pipeline(pipeline, control_broker)
        launcher = RunLauncher(
            core.sessions,
            control_broker,
            core.topics,
            pipeline.runs,
            fetcher=fetcher,
            training=TrainingRuns(
                core.sessions,
                control_broker,
                core.topics,
                pipeline.runs,
                core.blobs,
                scratch=settings.data_dir / "tmp",
            ),
            rescoring=RescoreRuns(core.sessions, control_broker, core.topics, pipeline.runs, pipeline.models),
        )
        upkeep = RunUpkeep(
            core.sessions,
            control_broker,
            core.topics,
            after_documents=settings.train_after_new_documents,
            after_records=settings.train_after_new_records,
            activate=settings.train_auto_activate,
        )
        control_broker.include_router(control.create_router(pipeline, launcher))
        brokers = [control_broker]
        for name in stage_names:
            broker = new_broker(bootstrap, f"headwater-{name}")
            broker.include_router(STAGES[name](pipeline, readiness))
            brokers.append(broker)
        try:
            warm_up = [extractor.warm_up()] if "extract" in stage_names else []
            await asyncio.gather(*warm_up, *(broker.start() for broker in brokers))
            await pin_to_latest(control_broker.subscribers)
            log.info("stages running", stages=list(stage_names))
            scheduler = Scheduler(
                core.sessions,
                RunCommands(sessions=core.sessions, broker=control_broker, topics=core.topics),
                grace=timedelta(hours=settings.schedule_grace_hours),
            )
            ticking = scheduler.running(settings.schedule_tick_seconds)
            async with launcher.sweeping(RUN_SWEEP_SECONDS), ticking, upkeep.sweeping(RUN_SWEEP_SECONDS):
                yield
        finally:
            # Pool first: in-flight extractions are abandoned (never committed), so stopping the
            # consumers does not wait for a long PDF to finish.
            await asyncio.to_thread(extractor.close)
            await asyncio.gather(*(broker.stop() for broker in brokers), return_exceptions=True)


def secure_settings(settings: Settings) -> Settings:
    """Settings with the secret key resolved; InsecureConfigurationError off loopback without one."""
    configured = settings.secret_key.get_secret_value() if settings.secret_key else None
    key = resolve_secret_key(
        configured, http_host=settings.http_host, data_dir=settings.data_dir, dev_mode=settings.dev_mode
    )
    return settings.model_copy(update={"secret_key": SecretStr(key)})


async def bootstrap_admin(core: Core) -> str | None:
    """First start: create the `admin` user; return its password if it was generated (print it once)."""
    password = core.settings.admin_password
    return await ensure_admin(core.sessions, password.get_secret_value() if password else None)


def build_web_app(core: Core, producer: KafkaBroker, readiness: GroupReadiness) -> Litestar:
    """The Litestar app, wired to this process's database, blob store and producer."""
    intake = DocumentIntake(sessions=core.sessions, blobs=core.blobs, broker=producer, topics=core.topics)
    hub = ProgressHub()
    runs = RunCommands(sessions=core.sessions, broker=producer, topics=core.topics)
    services = WebServices(
        settings=core.settings,
        sessions=core.sessions,
        blobs=core.blobs,
        intake=intake,
        readiness=readiness.pending,
        runs=runs,
        hub=hub,
        lifespan=[progress_feed(producer, core.topics, hub)],
        records=RecordIntake(broker=producer, topics=core.topics),
        models=ModelCommands(sessions=core.sessions, broker=producer, topics=core.topics, runs=runs),
    )
    return create_app(services)
