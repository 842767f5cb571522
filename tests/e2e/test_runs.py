"""Runs through the real broker: watched live over a WebSocket, and stopped for real when cancelled."""

import asyncio
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from websockets.asyncio.client import ClientConnection, connect

from app.storage.documents import register_document
from tests.e2e.harness import Service
from tests.synthetic import dense_text_pdf

pytestmark = [pytest.mark.broker]

TEN_PDFS = [
    "pypdf/crazyones.pdf",
    "pdfplumber/scotus-transcript-p1.pdf",
    "pdfplumber/background-checks.pdf",
    "pdfplumber/hello_structure.pdf",
    "pdfplumber/issue-140-example.pdf",
    "pdfplumber/senate-expenditures.pdf",
    "pdfplumber/la-precinct-bulletin-2014-p1.pdf",
    "pdfplumber/pdffill-demo.pdf",
    "pdfplumber/issue-33-lorem-ipsum.pdf",
    "pdfplumber/2023-06-20-PV.pdf",
]


def progress_socket(service: Service, run_id: str | None = None) -> Any:
    """A WebSocket client on `/ws/progress`, with the harness client's credentials."""
    url = str(service.client.base_url).replace("http://", "ws://") + "/ws/progress"
    if run_id is not None:
        url += f"?run_id={run_id}"
    return connect(url, additional_headers={"Authorization": service.client.headers["Authorization"]})


async def runs_of(socket: ClientConnection, run_id: str) -> Any:
    """Every snapshot of one run the socket receives."""
    async for raw in socket:
        run = json.loads(raw)["run"]
        if run["id"] == run_id:
            yield run


def processed(run: dict[str, Any]) -> int:
    """How many documents of the run are in a final state."""
    counts = run["counts"]
    return int(counts["done"] + counts["failed"] + counts["skipped"])


async def registered(service: Service, paths: Sequence[Path]) -> list[str]:
    """Documents already in the store but never processed (as after an import): their ids."""
    doc_ids = []
    for path in paths:
        blob = service.core.blobs.put_file(path)
        async with service.core.sessions.begin() as session:
            await register_document(
                session,
                doc_id=blob.sha256,
                filename=path.name,
                source="import",
                size_bytes=blob.size_bytes,
                run_id=None,
            )
        doc_ids.append(blob.sha256)
    return doc_ids


async def stored_documents(service: Service, doc_ids: Sequence[str]) -> set[str]:
    """Which of the documents have their pages stored."""
    async with service.core.sessions() as session:
        rows = await session.scalars(sa.text("SELECT DISTINCT doc_id FROM pages"))
        return set(rows) & set(doc_ids)


async def extractions_left_unfinished(service: Service, doc_ids: Sequence[str]) -> set[str]:
    """Documents whose extraction started but never finished."""
    async with service.core.sessions() as session:
        rows = await session.scalars(
            sa.text("SELECT doc_id FROM document_stages WHERE stage = 'extract' AND status = 'running'")
        )
        return set(rows) & set(doc_ids)


async def poll_run(service: Service, run_id: str, until: Any, timeout: float = 60) -> dict[str, Any]:
    """GET the run until `until(run)` holds; return it."""
    async with asyncio.timeout(timeout):
        while True:
            run = (await service.client.get(f"/api/v1/runs/{run_id}")).json()["run"]
            if until(run):
                return dict(run)
            await asyncio.sleep(0.1)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL: tests/storage/test_runs.py
async def test_a_ten_document_run_is_watched_live_over_a_websocket_to_completion(
    service: Service, corpus: Path
) -> None:
    doc_ids = [await service.upload(corpus / name) for name in TEN_PDFS]
    await service.wait_until_final(doc_ids)
    [live] = (await service.client.get("/api/v1/runs", params={"live": True})).json()["items"]
    live = await poll_run(service, live["id"], lambda run: processed(run) == 10, timeout=10)

    async with progress_socket(service) as socket:
        response = await service.client.post("/api/v1/tasks/full-pipeline/runs", json={"documents": doc_ids})
        assert response.status_code == 202, response.text
        run_id = response.json()["id"]
        updates, joined_midway = [], None
        async with asyncio.timeout(60):
            async for run in runs_of(socket, run_id):
                updates.append(run)
                if joined_midway is None and run["status"] == "running":
                    async with progress_socket(service, run_id) as latecomer:
                        joined_midway = json.loads(await latecomer.recv())["run"]
                if run["status"] == "completed":
                    break

    assert [processed(run) for run in updates] == sorted(processed(run) for run in updates)
    assert [run["revision"] for run in updates] == sorted({run["revision"] for run in updates})
    assert len(updates) >= 3, "progress was pushed while the run ran, not only at its end"
    final = updates[-1]
    assert final["counts"] == {"total": 10, "done": 10, "failed": 0, "skipped": 0}
    assert final["success"] is True
    assert (
        final["summary"] == "Executing PDF extraction pipeline — completed, 10/10 files processed, 0 failed"
    )
    polled = (await service.client.get(f"/api/v1/runs/{run_id}")).json()
    assert polled["run"] == final
    assert {doc["status"] for doc in polled["documents"]} == {"done"}
    assert joined_midway is not None, "a client connecting mid-run gets the current state first"
    assert joined_midway["id"] == run_id and joined_midway["revision"] >= updates[1]["revision"]
    assert (live["task"], live["status"], live["source"]) == ("live-ingestion", "running", "api")
    assert live["counts"] == {"total": 10, "done": 10, "failed": 0, "skipped": 0}, (
        "every upload is accounted for"
    )


async def test_a_cancelled_run_stops_and_stores_no_document_after_the_cancel_was_acknowledged(
    service: Service, tmp_path: Path
) -> None:
    pdfs = [dense_text_pdf(tmp_path / f"slow-{seed}.pdf", pages=12, seed=seed) for seed in range(5)]
    doc_ids = await registered(service, pdfs)
    response = await service.client.post("/api/v1/tasks/full-pipeline/runs", json={"documents": "all"})
    run_id = response.json()["id"]
    await poll_run(service, run_id, lambda run: run["counts"]["done"] >= 1)

    cancel = await service.client.post(f"/api/v1/runs/{run_id}/cancel")
    acknowledged_at = time.monotonic()
    stored_when_acknowledged = await stored_documents(service, doc_ids)

    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["status"] == "cancelled"
    final = await poll_run(service, run_id, lambda run: processed(run) == run["counts"]["total"], timeout=30)
    settled_after = time.monotonic() - acknowledged_at
    await asyncio.sleep(1)  # anything still in flight would land now
    assert await stored_documents(service, doc_ids) == stored_when_acknowledged
    assert final["status"] == "cancelled"
    assert final["success"] is False
    assert final["counts"]["total"] == 5
    assert final["counts"]["done"] == len(stored_when_acknowledged)
    assert final["counts"]["skipped"] == 5 - len(stored_when_acknowledged) >= 1
    assert settled_after < 10, "in-flight extraction stopped between pages, not at the end of the PDF"
    skipped = (
        await service.client.get(f"/api/v1/runs/{run_id}", params={"document_status": "skipped"})
    ).json()
    assert {doc["error"] for doc in skipped["documents"]} == {"The run was cancelled."}
    stopped = await extractions_left_unfinished(service, [doc["doc_id"] for doc in skipped["documents"]])
    assert stopped, "at least one extraction was in flight at the cancel, and stopped"
