"""The engine factory: SQLite pragmas, directory creation, UTC datetimes on both databases."""

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.storage.engine import create_engine, create_sessionmaker
from app.storage.tables import DocumentRow
from tests.storage.samples import doc_id, registered


async def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.db'}")
    try:
        async with engine.connect() as conn:
            pragma = conn.exec_driver_sql
            assert (await pragma("PRAGMA journal_mode")).scalar_one() == "wal"
            assert (await pragma("PRAGMA busy_timeout")).scalar_one() == 10000
            assert (await pragma("PRAGMA foreign_keys")).scalar_one() == 1
            assert (await pragma("PRAGMA synchronous")).scalar_one() == 1  # NORMAL
    finally:
        await engine.dispose()


async def test_sqlite_parent_directory_is_created(tmp_path: Path) -> None:
    database = tmp_path / "not" / "yet" / "there" / "headwater.db"
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with engine.connect() as conn:
            await conn.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
        assert database.is_file()
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("sqlite:///x.db", "sqlite+aiosqlite"),
        ("postgresql://u@localhost/db", "postgresql+asyncpg"),
        ("postgresql+asyncpg://u@localhost/db", "postgresql+asyncpg"),
    ],
)
async def test_urls_without_an_async_driver_get_one(given: str, driver: str, tmp_path: Path) -> None:
    if given.startswith("sqlite"):
        given = f"sqlite:///{tmp_path / 'x.db'}"
    engine = create_engine(given)
    try:
        assert engine.url.drivername == driver
    finally:
        await engine.dispose()


async def test_sessions_keep_objects_readable_after_commit(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        row = await registered(session, "after-commit")
        await session.commit()
        assert row.filename == "after-commit.pdf"  # no refresh: would need I/O outside await


async def test_datetimes_come_back_timezone_aware_in_utc(session: AsyncSession) -> None:
    row = await registered(session, "tz")
    eastern = timezone(timedelta(hours=-5))
    row.updated_at = datetime(2024, 3, 1, 7, 30, tzinfo=eastern)
    await session.commit()
    session.expunge_all()

    again = await session.get(DocumentRow, doc_id("tz"))
    assert again is not None
    assert again.updated_at == datetime(2024, 3, 1, 12, 30, tzinfo=UTC)
    assert again.updated_at.tzinfo == UTC
    assert again.created_at.tzinfo == UTC


async def test_naive_datetimes_are_refused(session: AsyncSession) -> None:
    row = await registered(session, "naive")
    row.updated_at = datetime(2024, 3, 1, 7, 30)  # naive on purpose
    with pytest.raises(StatementError, match="naive datetimes are ambiguous"):
        await session.flush()


async def test_many_connections_opening_a_new_sqlite_file_at_once_all_get_wal(
    tmp_path: Path,
) -> None:
    """Switching a new file to WAL can deadlock two openers; neither may fail for it."""

    async def journal_mode(url: str) -> str:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return str((await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one())
        finally:
            await engine.dispose()

    for round_ in range(40):
        url = f"sqlite+aiosqlite:///{tmp_path / f'race-{round_}.db'}"
        modes = await asyncio.gather(*(journal_mode(url) for _ in range(8)))
        assert modes == ["wal"] * 8
