"""End-to-end fixtures: a Headwater per test or per module, on SQLite and PostgreSQL, with its own topics."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.databases import postgres_available, skip_or_fail_without_postgres, throwaway_postgres_database
from tests.e2e.harness import Service, isolated_settings, running_service

DATABASE_KINDS = ["sqlite", "postgres"]


@asynccontextmanager
async def fresh_database(kind: str, directory: Path) -> AsyncIterator[str]:
    """The URL of a new, empty database of this kind, dropped afterwards (PostgreSQL)."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{directory / 'headwater.db'}"
        return
    if not await postgres_available():
        skip_or_fail_without_postgres()
    async with throwaway_postgres_database() as url:
        yield url


@pytest.fixture(params=DATABASE_KINDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each kind."""
    async with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def service(kafka_bootstrap: str, tmp_path: Path, database_url: str) -> AsyncIterator[Service]:
    """A running in-process Headwater with every stage, for this test alone."""
    settings = isolated_settings(kafka_bootstrap, tmp_path / "data", database_url)
    async with running_service(settings) as running:
        yield running


@pytest.fixture(scope="module", params=DATABASE_KINDS)
async def shared_service(
    request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Service]:
    """One running Headwater for every test of a module: its tests look only at their own documents."""
    directory = tmp_path_factory.mktemp(f"shared-{request.param}")
    async with fresh_database(request.param, directory) as url:
        settings = isolated_settings(kafka_bootstrap, directory / "data", url)
        async with running_service(settings) as running:
            yield running
