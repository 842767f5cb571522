"""Which documents a run covers, as the API says it (`"all"`, `"failed"`, `"run:<id>"`, ids) and as stored."""

from typing import Any
from uuid import UUID

Selection = dict[str, Any]
"""A run's stored selection: `{"kind": "all" | "failed" | "ids" | "run" | "failed_in_run", ...}`."""


def selection_of(documents: str | list[str]) -> Selection:
    """The stored selection for a `StartRunRequest.documents` value (already validated by its schema)."""
    if isinstance(documents, list):
        return {"kind": "ids", "doc_ids": sorted(set(documents))}
    if documents.startswith("run:"):
        return {"kind": "run", "run_id": str(UUID(documents.removeprefix("run:")))}
    return {"kind": documents}


def failed_in(run_id: UUID) -> Selection:
    """The documents that failed in `run_id` (what a retry covers)."""
    return {"kind": "failed_in_run", "run_id": str(run_id)}
