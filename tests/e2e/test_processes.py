"""Whole processes: a separately started worker joins its group; Ctrl-C and restart lose nothing."""

import asyncio
import os
import socket
import sys
from pathlib import Path

import httpx
import psutil
import pytest
import sqlalchemy as sa

from app.storage.engine import create_engine
from tests.conftest import free_port
from tests.e2e.harness import isolated_settings, running_service
from tests.e2e.processes import headwater

pytestmark = [pytest.mark.broker, pytest.mark.slow]

MULTI_PAGE = [
    "pdfminer.six/issue-1061-colour-space-stack.pdf",
    "pdfplumber/federal-register-2020-17221.pdf",
    "pdfplumber/nics-background-checks-2015-11-rotated.pdf",
    "pdfplumber/issue-33-lorem-ipsum.pdf",
    "pdfplumber/pdffill-demo.pdf",
    "pypdf/GeoBase_NHNC1_Data_Model_UML_EN.pdf",
    "pdfplumber/la-precinct-bulletin-2014-p1.pdf",
    "pdfplumber/cupertino_usd_4-6-16.pdf",
    "pdfplumber/2023-06-20-PV.pdf",
    "pdfplumber/ag-energy-round-up-2017-02-24.pdf",
]


async def create_token(env: dict[str, str], user: str = "admin") -> str:
    """An API token made by `headwater tokens create` against the same data dir and database."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "headwater", "tokens", "create", "--user", user),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **env},
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def test_a_separately_started_worker_takes_part_in_the_extract_group(
    kafka_bootstrap: str, tmp_path: Path, corpus: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'headwater.db'}"
    settings = isolated_settings(kafka_bootstrap, tmp_path / "data", database_url)
    env = {
        "HEADWATER_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "HEADWATER_TOPIC_NAMESPACE": settings.topic_namespace,
        "HEADWATER_DATA_DIR": str(settings.data_dir),
        "HEADWATER_DATABASE_URL": database_url,
        "HEADWATER_EXTRACT_WORKERS": "1",
        "HEADWATER_KAFKA_SESSION_TIMEOUT_MS": str(settings.consumer_session_timeout_ms),
    }
    async with running_service(settings, stages=("clean", "score", "store")) as service:
        async with headwater("worker", "--stage", "extract", env=env) as worker:
            await worker.wait_for_line("worker ready")
            doc_id = await service.upload(corpus / "pypdf/crazyones.pdf")

            document = (await service.wait_until_final([doc_id]))[doc_id]

            assert document["status"] == "stored"
            extract = next(s for s in document["stages"] if s["stage"] == "extract")
            assert extract["worker"] == f"{socket.gethostname()}:{worker.process.pid}"
            assert await worker.interrupt() == 0


async def test_ctrl_c_mid_batch_then_restart_stores_every_document_exactly_once(
    tmp_path: Path, corpus: Path
) -> None:
    http_port = free_port()
    env = {
        "HEADWATER_DATA_DIR": str(tmp_path / "data"),
        "HEADWATER_HTTP_PORT": str(http_port),
        "HEADWATER_EMBEDDED_KAFKA_PORT": str(free_port()),
    }
    base = f"http://127.0.0.1:{http_port}"
    doc_ids = []
    async with headwater("run", env=env) as first:
        await first.wait_for_line("Ready.")
        assert "Kafka bootstrap servers:" in first.output
        assert "Created user 'admin' with password: " in first.output
        auth = {"Authorization": f"Bearer {await create_token(env)}"}
        async with httpx.AsyncClient(base_url=base, headers=auth) as client:
            for name in MULTI_PAGE:
                files = {"file": (Path(name).name, (corpus / name).read_bytes(), "application/pdf")}
                doc_ids.append((await client.post("/api/v1/documents", files=files)).json()["doc_id"])
        children = first.descendants()
        assert await first.interrupt() == 0
    _, alive = psutil.wait_procs(children, timeout=5)
    assert not alive, [p.cmdline() for p in alive]

    async with headwater("run", env=env) as second:
        await second.wait_for_line("Ready.")
        assert "Created user" not in second.output
        async with httpx.AsyncClient(base_url=base, headers=auth) as client, asyncio.timeout(120):
            while True:
                items = (await client.get("/api/v1/documents", params={"limit": 100})).json()["items"]
                if len(items) == len(doc_ids) and all(i["status"] == "stored" for i in items):
                    break
                await asyncio.sleep(0.3)
        assert await second.interrupt() == 0

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'headwater.db'}")
    async with engine.connect() as conn:
        documents = (await conn.execute(sa.text("SELECT id, page_count FROM documents"))).all()
        pages = dict(
            (await conn.execute(sa.text("SELECT doc_id, count(*) FROM pages GROUP BY doc_id"))).all()
        )
    await engine.dispose()
    assert sorted(doc_id for doc_id, _ in documents) == sorted(set(doc_ids))
    assert all(pages[doc_id] == page_count for doc_id, page_count in documents)


async def test_a_taken_broker_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            "HEADWATER_DATA_DIR": str(tmp_path),
            "HEADWATER_EMBEDDED_KAFKA_PORT": str(port),
            "HEADWATER_HTTP_PORT": str(free_port()),
        }
        async with headwater("run", env=env) as process:
            code = await asyncio.wait_for(process.process.wait(), 30)
            await asyncio.sleep(0.1)
    assert code != 0
    assert f"127.0.0.1:{port} is already in use" in process.output
    assert "HEADWATER_EMBEDDED_KAFKA_PORT" in process.output
