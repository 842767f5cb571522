"""`headwater users ...` and `headwater tokens ...`: manage accounts and API tokens in the database."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar
from uuid import UUID

import click

from app.errors import ConflictError, NotFoundError
from app.security import accounts
from app.security.authentication import issue_token, revoke
from app.settings import Settings
from app.storage.tokens import CredentialKind, list_credentials
from headwater.runtime import Core, open_core
from schemas.auth import Role

T = TypeVar("T")


def _with_core(work: Callable[[Core], Awaitable[T]]) -> T:
    """Run `work` against the configured (migrated) database; domain errors become CLI errors."""

    async def run() -> T:
        async with open_core(Settings()) as core:
            return await work(core)

    try:
        return asyncio.run(run())
    except (ConflictError, NotFoundError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def users() -> None:
    """Manage user accounts."""


@users.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.password_option(help="The password (prompted for, twice, if not given).")
def create_user(name: str, role: str, password: str) -> None:
    """Create a user with a role: viewer, operator or admin."""
    row = _with_core(lambda core: accounts.create_user(core.sessions, name, Role(role), password))
    click.echo(f"Created user {row.name!r} ({row.role}).")


@users.command("list")
def list_users() -> None:
    """List every user with their role."""
    for row in _with_core(lambda core: accounts.all_users(core.sessions)):
        click.echo(f"{row.name:<24} {row.role:<9} {'active' if row.active else 'inactive'}")


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.option(
    "--user", "user_name", required=True, help="The user the token acts as (and whose role it has)."
)
@click.option("--name", "label", default="cli", show_default=True, help="A label to recognise the token by.")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None, help="Default: never.")
def create_token(user_name: str, label: str, expires_in_days: int | None) -> None:
    """Create an API token; it is printed once, alone on stdout, and stored only as a hash."""
    lifetime = timedelta(days=expires_in_days) if expires_in_days else None
    issued = _with_core(lambda core: issue_token(core.sessions, user_name, label, lifetime))
    click.echo(f"Token {issued.credential.id} for {issued.user_name!r} ({issued.role}):", err=True)
    click.echo(issued.secret)


@tokens.command("list")
def list_tokens() -> None:
    """List API tokens (never their secrets)."""

    async def work(core: Core) -> list[str]:
        async with core.sessions() as session:
            rows = await list_credentials(session, CredentialKind.TOKEN)
        return [
            f"{row.id}  {row.prefix}…  {name:<16} {row.label:<16} "
            f"{'revoked' if row.revoked_at else 'active'}  last used {row.last_used_at or 'never'}"
            for row, name in rows
        ]

    for line in _with_core(work):
        click.echo(line)


@tokens.command("revoke")
@click.argument("token_id", type=click.UUID)
def revoke_token(token_id: UUID) -> None:
    """Revoke an API token at once."""
    if not _with_core(lambda core: revoke(core.sessions, token_id)):
        raise click.ClickException(f"no token {token_id}")
    click.echo(f"Revoked {token_id}.")
