"""An in-process Headwater (stages + web app) on the session's real broker, isolated by topic namespace."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from faststream.kafka import KafkaBroker

from app.kafka.readiness import GroupReadiness
from app.security.accounts import ensure_admin
from app.security.authentication import issue_token
from app.settings import EMBEDDED_SESSION_TIMEOUT_MS, Settings
from headwater.runtime import Core, build_web_app, open_core, publisher, stage_workers
from headwater.serve import serve_http
from tests.conftest import free_port

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


@dataclass
class Service:
    """A running Headwater under test."""

    settings: Settings
    core: Core
    client: httpx.AsyncClient
    producer: KafkaBroker

    async def upload(self, path: Path) -> str:
        """Upload one file through the API; return its document id."""
        response = await self.client.post(
            "/api/v1/documents", files={"file": (path.name, path.read_bytes(), "application/pdf")}
        )
        assert response.status_code == 202, response.text
        return str(response.json()["doc_id"])

    async def wait_until_final(self, doc_ids: Sequence[str], timeout: float = 90) -> dict[str, dict]:
        """Poll the API until every document is stored or failed; return their details."""
        details: dict[str, dict] = {}
        async with asyncio.timeout(timeout):
            while len(details) < len(set(doc_ids)):
                for doc_id in set(doc_ids) - details.keys():
                    body = (await self.client.get(f"/api/v1/documents/{doc_id}")).json()
                    if body.get("status") in ("stored", "failed"):  # a 404 until an upstream event is read
                        details[doc_id] = body
                await asyncio.sleep(0.2)
        return details


def isolated_settings(bootstrap: str, data_dir: Path, database_url: str, **overrides: object) -> Settings:
    """Settings of one isolated Headwater: its own topics, groups, data dir and database."""
    return Settings(
        kafka_bootstrap_servers=bootstrap,
        topic_namespace=f"test-{uuid.uuid4().hex[:10]}",
        data_dir=data_dir,
        database_url=database_url,
        extract_workers=2,
        kafka_session_timeout_ms=EMBEDDED_SESSION_TIMEOUT_MS,  # the session broker is an embedded one
        **overrides,
    )


@asynccontextmanager
async def running_service(settings: Settings, stages: Sequence[str] = ALL_STAGES) -> AsyncIterator[Service]:
    """Start the stages (all groups joined) and the web app; stop everything afterwards."""
    bootstrap = settings.kafka_bootstrap_servers
    assert bootstrap is not None
    async with open_core(settings) as core, publisher(core, bootstrap) as producer:
        readiness = GroupReadiness()
        readiness.expect(*stages)
        app = build_web_app(core, producer, readiness)
        await ensure_admin(core.sessions, None)
        admin_token = (await issue_token(core.sessions, "admin", "e2e harness", None)).secret
        async with stage_workers(core, bootstrap, stages, readiness):
            async with asyncio.timeout(60):
                await readiness.wait()
            async with (
                serve_http(app, "127.0.0.1", free_port()) as url,
                httpx.AsyncClient(
                    base_url=url, timeout=30, headers={"Authorization": f"Bearer {admin_token}"}
                ) as client,
            ):
                yield Service(settings=settings, core=core, client=client, producer=producer)
