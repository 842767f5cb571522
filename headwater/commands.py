"""What each `headwater` command runs: the all-in-one service, a stage worker, the web app alone."""

import asyncio
import contextlib
from collections.abc import Sequence

import click
import structlog

from app.kafka.readiness import GroupReadiness
from app.settings import Settings
from headwater.runtime import (
    GROUP_JOIN_TIMEOUT_SECONDS,
    Core,
    bootstrap_admin,
    build_web_app,
    kafka,
    open_core,
    publisher,
    secure_settings,
    stage_workers,
)
from headwater.serve import serve_http, shutdown_signal
from producers.reconcile import republish_unfinished

log = structlog.get_logger(__name__)
ALL_STAGES = (
    "clean",
    "extract",
    "score",
    "store",
    "progress",
    "validate-records",
    "score-records",
    "store-records",
)


async def run_all(settings: Settings, stages: Sequence[str] = ALL_STAGES) -> None:
    """The all-in-one service: embedded broker (unless configured), every stage, and the web app."""
    settings = secure_settings(settings)  # refuses an insecure setup before starting anything
    with shutdown_signal() as stop:
        async with open_core(settings) as core, kafka(settings, embedded=True) as bootstrap:
            await announce_admin(core)
            readiness = GroupReadiness()
            readiness.expect(*stages)
            async with publisher(core, bootstrap) as producer:
                app = build_web_app(core, producer, readiness)
                async with serve_http(app, settings.http_host, settings.http_port) as url:
                    click.echo(f"Headwater dashboard and API: {url}  (API docs: {url}/api/docs)")
                    click.echo(f"Kafka bootstrap servers:     {bootstrap}")
                    click.echo("Starting stage consumers (each consumer group takes ~5 s to join)...")
                    async with stage_workers(core, bootstrap, stages, readiness):
                        async with asyncio.timeout(GROUP_JOIN_TIMEOUT_SECONDS):
                            await readiness.wait()
                        await republish_unfinished(core.sessions, producer, core.topics, core.blobs)
                        click.echo("Ready. Press Ctrl-C to stop.")
                        await stop.wait()
                        click.echo("Stopping...")


async def run_worker(settings: Settings, stages: Sequence[str]) -> None:
    """Stage consumers only, joining their groups on the configured (or local embedded) Kafka."""
    with shutdown_signal() as stop:
        async with open_core(settings) as core, kafka(settings, embedded=False) as bootstrap:
            readiness = GroupReadiness()
            readiness.expect(*stages)
            async with stage_workers(core, bootstrap, stages, readiness):
                log.info("worker ready", stages=list(stages), bootstrap=bootstrap)
                await stop.wait()


async def run_web(settings: Settings) -> None:
    """The web app alone (scaled-out shape); it also reconciles unfinished work at start."""
    settings = secure_settings(settings)
    with shutdown_signal() as stop:
        async with open_core(settings) as core, kafka(settings, embedded=False) as bootstrap:
            await announce_admin(core)
            readiness = GroupReadiness()
            async with publisher(core, bootstrap) as producer:
                app = build_web_app(core, producer, readiness)
                async with serve_http(app, settings.http_host, settings.http_port) as url:
                    log.info("web ready", url=url, bootstrap=bootstrap)
                    await republish_unfinished(core.sessions, producer, core.topics, core.blobs)
                    await stop.wait()


async def reconcile_once(settings: Settings) -> int:
    """Republish unfinished documents once and exit."""
    async with (
        open_core(settings) as core,
        kafka(settings, embedded=False) as bootstrap,
        publisher(core, bootstrap) as producer,
    ):
        return await republish_unfinished(core.sessions, producer, core.topics, core.blobs)


async def announce_admin(core: Core) -> None:
    """Create the first `admin` user if there are no users; print a generated password once."""
    password = await bootstrap_admin(core)
    if password:
        click.echo(f"Created user 'admin' with password: {password}")
        click.echo("  (shown only now; set HEADWATER_ADMIN_PASSWORD before the first start to choose it)")


def run_until_stopped(coroutine: object) -> None:
    """Run a command's coroutine; Ctrl-C during start-up ends it quietly too."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(coroutine)  # type: ignore[arg-type]
