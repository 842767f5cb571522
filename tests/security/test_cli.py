"""`headwater users` and `headwater tokens`: manage accounts from the command line, on both databases."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.security.authentication import authenticate
from app.storage.tokens import CredentialKind
from headwater.cli import main as cli
from headwater.serve import serve_http
from schemas.auth import Role
from tests.conftest import free_port
from web.app import create_app
from web.services import WebServices

Headwater = Callable[..., Awaitable[Result]]


@pytest.fixture
def headwater(tmp_path: Path, database_url: str) -> Headwater:
    """Runs a `headwater` command on this test's data dir and database (in a thread: it has its own loop)."""
    env = {"HEADWATER_DATA_DIR": str(tmp_path), "HEADWATER_DATABASE_URL": database_url}

    async def run(*args: str) -> Result:
        return await asyncio.to_thread(CliRunner().invoke, cli, list(args), env=env)

    return run


async def test_users_create_then_tokens_create_gives_a_working_token_with_the_users_role(
    headwater: Headwater, sessions: async_sessionmaker[AsyncSession]
) -> None:
    created = await headwater(
        "users", "create", "carol", "--role", "operator", "--password", "carol's password"
    )
    issued = await headwater("tokens", "create", "--user", "carol", "--name", "laptop")
    listed = await headwater("users", "list")

    assert (created.exit_code, created.output.strip()) == (0, "Created user 'carol' (operator).")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    principal = await authenticate(sessions, token, CredentialKind.TOKEN)
    assert principal is not None
    assert (principal.name, principal.role, principal.token_label) == ("carol", Role.OPERATOR, "laptop")
    assert "carol" in listed.output and "operator" in listed.output


async def test_tokens_list_hides_secrets_and_revoke_stops_a_token(
    headwater: Headwater, sessions: async_sessionmaker[AsyncSession], tokens: dict[Role, str]
) -> None:
    issued = await headwater("tokens", "create", "--user", "viewer")
    token = issued.stdout.strip()
    listed = await headwater("tokens", "list")
    [line] = [line for line in listed.output.splitlines() if token[:10] in line]
    token_id = line.split()[0]

    revoked = await headwater("tokens", "revoke", token_id)

    assert token not in listed.output
    assert revoked.exit_code == 0
    assert await authenticate(sessions, token, CredentialKind.TOKEN) is None


async def test_clear_errors_for_a_taken_name_and_an_unknown_user(
    headwater: Headwater, tokens: dict[Role, str]
) -> None:
    taken = await headwater("users", "create", "viewer", "--role", "admin", "--password", "x")
    unknown = await headwater("tokens", "create", "--user", "nobody")

    assert (taken.exit_code, unknown.exit_code) == (1, 1)
    assert "a user named 'viewer' already exists" in taken.output
    assert "no user named 'nobody'" in unknown.output


@pytest.mark.parametrize("database_kind", ["sqlite"])
async def test_ingest_uploads_with_the_token_from_the_environment(
    services: WebServices, tokens: dict[Role, str], small_pdf: Path
) -> None:
    local = services.settings.model_copy(update={"allowed_hosts": ["127.0.0.1"]})
    async with serve_http(create_app(replace(services, settings=local)), "127.0.0.1", free_port()) as url:

        def ingest(role: Role) -> Result:
            env = {"HEADWATER_API_TOKEN": tokens[role]}
            return CliRunner().invoke(cli, ["ingest", "--url", url, str(small_pdf)], env=env)

        operator = await asyncio.to_thread(ingest, Role.OPERATOR)
        viewer = await asyncio.to_thread(ingest, Role.VIEWER)
        missing = await asyncio.to_thread(CliRunner().invoke, cli, ["ingest", str(small_pdf)], env={})

    assert operator.exit_code == 0, operator.output
    assert operator.output.startswith("received")
    assert viewer.exit_code == 1
    assert "HTTP 403" in viewer.output
    assert missing.exit_code == 2
    assert "HEADWATER_API_TOKEN" in missing.output
