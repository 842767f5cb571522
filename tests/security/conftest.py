"""Fixtures: the web app of tests/web, on SQLite and on a throwaway PostgreSQL database.

`database_kind` parametrizes every test that touches storage; a test may narrow it with
`@pytest.mark.parametrize("database_kind", ["sqlite"])`.
"""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from app import storage
from app.settings import Settings
from app.storage.engine import async_url
from tests.databases import throwaway_database
from tests.web.conftest import (  # noqa: F401 (fixtures shared with tests/web)
    TEST_HOST,
    TEST_SECRET_KEY,
    anonymous,
    client,
    ingest,
    readiness,
    services,
    small_pdf,
    tokens,
)


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)],
)
def database_kind(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on."""
    return str(request.param)


@pytest.fixture
async def database_url(database_kind: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of `database_kind` that disappears after the test."""
    async with throwaway_database(database_kind, tmp_path) as url:  # type: ignore[arg-type]
        yield url


@pytest.fixture
async def sessions(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the freshly migrated database.

    Litestar's test client runs the app on its own event loop, and asyncpg connections belong to
    the loop that opened them: on PostgreSQL no connection is pooled, so none crosses loops.
    """
    engine = storage.create_engine(settings.database_url)
    if engine.dialect.name == "postgresql":
        await engine.dispose()
        engine = create_async_engine(async_url(settings.database_url), poolclass=NullPool)
    try:
        await storage.migrate(engine)
        yield storage.create_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """The web tests' settings, on `database_url`."""
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        topic_namespace="sectest",
        max_upload_bytes=1024 * 1024,
        secret_key=TEST_SECRET_KEY,
        allowed_hosts=[TEST_HOST],
        login_attempts_per_minute=5,
    )
