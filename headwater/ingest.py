"""`headwater ingest`: upload PDFs (files or whole folders) to a running Headwater through its API."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True, slots=True)
class Uploaded:
    """One file's outcome."""

    path: Path
    doc_id: str | None
    status: str
    duplicate: bool = False
    error: str | None = None
    run_id: str | None = None
    """The run the document joined (a live-ingestion run for uploads)."""


def pdf_files(paths: list[Path]) -> Iterator[Path]:
    """The given files, and every *.pdf under the given folders, in a stable order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
        else:
            yield path


def upload(client: httpx.Client, path: Path) -> Uploaded:
    """POST one file to /api/v1/documents."""
    try:
        with path.open("rb") as handle:
            response = client.post(
                "/api/v1/documents", files={"file": (path.name, handle, "application/pdf")}
            )
    except OSError as exc:
        return Uploaded(path, None, "unreadable", error=str(exc))
    if response.status_code != 202:
        return Uploaded(path, None, "rejected", error=f"HTTP {response.status_code}: {response.text[:200]}")
    body = response.json()
    return Uploaded(
        path, body["doc_id"], body["status"], duplicate=body["duplicate"], run_id=body.get("run_id")
    )
