"""`headwater ingest --wait`: follow the runs the uploads joined on `/ws/progress`, as a progress bar.

The bar is fed by the same progress stream as the dashboard. Once every run has accounted for all
its documents, each uploaded document's final status is read once, and failures are listed.
"""

import asyncio
from collections.abc import Sequence

import click
import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidHandshake

from app.runs.phrases import humanize_duration
from headwater.ingest import Uploaded
from schemas.progress import RunProgressed
from schemas.runs import RunSnapshot


def follow_uploads(client: httpx.Client, token: str, uploads: Sequence[Uploaded]) -> int:
    """Show progress until every uploaded document is processed; return how many failed."""
    run_ids = sorted({upload.run_id for upload in uploads if upload.run_id and not upload.duplicate})
    if run_ids:
        socket_base = str(client.base_url).replace("http", "ws", 1).rstrip("/")
        try:
            finals = asyncio.run(_watch(socket_base, token, run_ids))
        except (InvalidHandshake, OSError) as exc:
            raise click.ClickException(
                f"could not follow progress on {socket_base}/ws/progress: {exc}"
            ) from exc
        for run in finals:
            click.echo(run.summary)
    failed = 0
    for upload in uploads:
        if upload.doc_id is None:
            continue
        document = client.get(f"/api/v1/documents/{upload.doc_id}").json()
        if document["status"] == "failed":
            failed += 1
            click.echo(f"FAILED  {upload.path}: {document['error']}", err=True)
    return failed


def _describe(run: RunSnapshot) -> str:
    return f"{run.phrase} ({run.source}, {run.day})" if run.live else run.phrase


def _remaining(run: RunSnapshot) -> str:
    if run.counts.pending == 0:
        return "done"
    return "estimating..." if run.eta_seconds is None else f"{humanize_duration(run.eta_seconds)} remaining"


async def _watch(socket_base: str, token: str, run_ids: Sequence[str]) -> list[RunSnapshot]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[eta]}"),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:

        async def follow(run_id: str) -> RunSnapshot:
            bar: TaskID | None = None
            headers = {"Authorization": f"Bearer {token}"}
            async with connect(
                f"{socket_base}/ws/progress?run_id={run_id}", additional_headers=headers
            ) as socket:
                async for raw in socket:
                    run = RunProgressed.model_validate_json(raw).run
                    if bar is None:
                        bar = progress.add_task(_describe(run), total=run.counts.total, eta="")
                    progress.update(
                        bar, total=run.counts.total, completed=run.counts.processed, eta=_remaining(run)
                    )
                    if run.counts.pending == 0:
                        return run
            raise click.ClickException(f"the progress stream of run {run_id} ended early")

        return list(await asyncio.gather(*(follow(run_id) for run_id in run_ids)))
