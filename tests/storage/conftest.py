"""Fixtures: a migrated database of each kind per test, and a session on it."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.storage.engine import create_engine, create_sessionmaker
from app.storage.migrate import migrate
from tests.databases import database_params, throwaway_database


@pytest.fixture(params=database_params())
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database, SQLite or PostgreSQL, that disappears after the test."""
    async with throwaway_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a freshly migrated database."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session on the migrated database; tests commit when they mean to."""
    async with create_sessionmaker(engine)() as session:
        yield session
