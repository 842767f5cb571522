"""The `headwater` command line."""

import asyncio
import sys
from pathlib import Path

import click
import httpx

from app.logs import configure_logging
from app.net import PortInUseError
from app.security.secrets import InsecureConfigurationError
from app.settings import Settings
from headwater import commands
from headwater.accounts import tokens, users
from headwater.follow import follow_uploads
from headwater.ingest import pdf_files, upload
from schemas.catalog import render_markdown


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_level, json=settings.log_json)
    return settings


@click.group()
def main() -> None:
    """Headwater: turn raw documents into usable data, live. Settings come from HEADWATER_* variables."""


@main.command()
@click.option("--stage", "stages", multiple=True, type=click.Choice(commands.ALL_STAGES))
def run(stages: tuple[str, ...]) -> None:
    """Run everything in one process: embedded Kafka (if none configured), all stages, the web app."""
    try:
        commands.run_until_stopped(commands.run_all(_settings(), stages or commands.ALL_STAGES))
    except (PortInUseError, InsecureConfigurationError) as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.option("--stage", "stages", multiple=True, required=True, type=click.Choice(commands.ALL_STAGES))
def worker(stages: tuple[str, ...]) -> None:
    """Run stage consumers only, on HEADWATER_KAFKA_BOOTSTRAP_SERVERS (default: the local embedded broker)."""
    commands.run_until_stopped(commands.run_worker(_settings(), stages))


@main.command()
def web() -> None:
    """Run the web app and API only (the scaled-out shape)."""
    try:
        commands.run_until_stopped(commands.run_web(_settings()))
    except (PortInUseError, InsecureConfigurationError) as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
def reconcile() -> None:
    """Republish every document whose pipeline never finished, then exit."""
    count = asyncio.run(commands.reconcile_once(_settings()))
    click.echo(f"Republished {count} unfinished document(s).")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--url", default=None, help="Headwater base URL (default: from HEADWATER_HTTP_HOST/PORT).")
@click.option(
    "--token",
    envvar="HEADWATER_API_TOKEN",
    help="An API token of an operator (`headwater tokens create`); or set HEADWATER_API_TOKEN.",
)
@click.option(
    "--wait", is_flag=True, help="Show progress until every document is processed; exit 1 if any failed."
)
def ingest(paths: tuple[Path, ...], url: str | None, token: str | None, wait: bool) -> None:
    """Upload PDF files, or every PDF under the given folders, to a running Headwater."""
    if not token:
        raise click.UsageError(
            "an API token is needed: pass --token or set HEADWATER_API_TOKEN "
            "(make one with `headwater tokens create --user NAME`)"
        )
    settings = Settings()
    base = url or f"http://{settings.http_host}:{settings.http_port}"
    failures = 0
    headers = {"Authorization": f"Bearer {token}"}
    uploads = []
    with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
        for path in pdf_files(list(paths)):
            outcome = upload(client, path)
            uploads.append(outcome)
            if outcome.error:
                failures += 1
                click.echo(f"FAILED  {path}: {outcome.error}", err=True)
            else:
                note = " (already known)" if outcome.duplicate else ""
                click.echo(f"{outcome.status:<9} {outcome.doc_id}  {path}{note}")
        if wait:
            failures += follow_uploads(client, token, uploads)
    sys.exit(1 if failures else 0)


main.add_command(users)
main.add_command(tokens)


@main.command("events-doc")
@click.option("--output", type=click.Path(path_type=Path), default=Path("docs/EVENTS.md"))
def events_doc(output: Path) -> None:
    """Write the event catalogue (every topic and its JSON Schema) to docs/EVENTS.md."""
    output.write_text(render_markdown(), encoding="utf-8")
    click.echo(f"Wrote {output}")
