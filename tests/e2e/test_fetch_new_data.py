"""Fetch New Data through the real broker: a source configured over the API, fetched, processed, stored."""

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.harness import Service

pytestmark = [pytest.mark.broker]

PDFS = ["pypdf/crazyones.pdf", "pdfplumber/hello_structure.pdf"]


async def finished_run(service: Service, run_id: str, timeout: float = 90) -> dict[str, Any]:
    """Poll the run until it is final; return its detail (the run and its documents)."""
    async with asyncio.timeout(timeout):
        while True:
            detail = (await service.client.get(f"/api/v1/runs/{run_id}")).json()
            if detail["run"]["status"] in ("completed", "failed", "cancelled"):
                return dict(detail)
            await asyncio.sleep(0.2)


async def fetch_new_data(service: Service) -> dict[str, Any]:
    """Start a Fetch New Data run over the API and wait for it to finish."""
    started = await service.client.post("/api/v1/tasks/fetch-new-data/runs", json={})
    assert started.status_code == 202, started.text
    return await finished_run(service, started.json()["id"])


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # both databases: tests/storage
async def test_fetch_new_data_stores_a_folders_new_files_and_then_finds_nothing_new(
    service: Service, corpus: Path, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in PDFS:
        shutil.copyfile(corpus / name, inbox / Path(name).name)
    created = await service.client.post(
        "/api/v1/sources", json={"name": "inbox", "kind": "folder", "path": str(inbox)}
    )
    assert created.status_code == 201, created.text

    first = await fetch_new_data(service)

    run = first["run"]
    assert (run["status"], run["success"], run["counts"]["total"], run["counts"]["done"]) == (
        "completed",
        True,
        2,
        2,
    )
    assert sorted(doc["filename"] for doc in first["documents"]) == ["crazyones.pdf", "hello_structure.pdf"]
    for doc in first["documents"]:
        stored = (await service.client.get(f"/api/v1/documents/{doc['doc_id']}")).json()
        assert (stored["status"], stored["source"]) == ("stored", "inbox")
    [source] = (await service.client.get("/api/v1/sources")).json()["items"]
    assert (source["tracked_items"], source["last_error"]) == (2, None)

    second = await fetch_new_data(service)

    assert (second["run"]["status"], second["run"]["success"], second["run"]["counts"]["total"]) == (
        "completed",
        True,
        0,
    )
    assert second["documents"] == []
