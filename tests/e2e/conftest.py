"""End-to-end fixtures: each test gets its own database (SQLite and PostgreSQL) and topic namespace."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.databases import postgres_available, skip_or_fail_without_postgres, throwaway_postgres_database
from tests.e2e.harness import Service, isolated_settings, running_service


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'headwater.db'}"
        return
    if not await postgres_available():
        skip_or_fail_without_postgres()
    async with throwaway_postgres_database() as url:
        yield url


@pytest.fixture
async def service(kafka_bootstrap: str, tmp_path: Path, database_url: str) -> AsyncIterator[Service]:
    """A running in-process Headwater with every stage."""
    settings = isolated_settings(kafka_bootstrap, tmp_path / "data", database_url)
    async with running_service(settings) as running:
        yield running
