"""`headwater ingest DIR --wait`: a progress bar fed by the progress stream, and an honest exit code."""

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest

from headwater.follow import follow_uploads
from headwater.ingest import pdf_files, upload
from tests.e2e.harness import Service
from tests.e2e.processes import headwater

pytestmark = [pytest.mark.broker]


def token_of(service: Service) -> str:
    """The harness client's API token."""
    return service.client.headers["Authorization"].removeprefix("Bearer ")


def upload_and_follow(service: Service, folder: Path) -> int:
    """What `ingest --wait` does, in this process: upload, follow, count failures."""
    headers = {"Authorization": f"Bearer {token_of(service)}"}
    with httpx.Client(base_url=str(service.client.base_url), headers=headers, timeout=30) as client:
        uploads = [upload(client, path) for path in pdf_files([folder])]
        return follow_uploads(client, token_of(service), uploads)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the CLI is the same on any database
async def test_ingest_wait_follows_the_run_to_the_end_and_fails_if_a_document_failed(
    service: Service, corpus: Path, tmp_path: Path
) -> None:
    good, mixed = tmp_path / "good", tmp_path / "mixed"
    good.mkdir()
    mixed.mkdir()
    for name in ("pypdf/crazyones.pdf", "pdfplumber/hello_structure.pdf"):
        shutil.copy(corpus / name, good)
    shutil.copy(corpus / "pdfplumber/issue-140-example.pdf", mixed)
    (mixed / "notes.pdf").write_bytes(b"just some text, not a PDF")

    failures_of_good = await asyncio.to_thread(upload_and_follow, service, good)
    url = str(service.client.base_url)
    env = {"HEADWATER_API_TOKEN": token_of(service)}
    async with headwater("ingest", str(mixed), "--url", url, "--wait", env=env) as cli:
        code = await asyncio.wait_for(cli.process.wait(), 90)
        await asyncio.sleep(0.1)

    assert failures_of_good == 0
    assert code == 1, cli.output
    assert "Executing PDF extraction pipeline — 4/4 files processed" in cli.output, "the day's live run"
    assert "FAILED" in cli.output and "notes.pdf" in cli.output
    assert "issue-140-example.pdf" not in cli.output.split("FAILED", 1)[1]
