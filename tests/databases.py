"""Real databases for tests: a SQLite file per test, or a throwaway PostgreSQL database.

Every suite that parametrizes over databases uses these, so the skip-or-fail rule is one rule:
PostgreSQL tests skip when the server is unreachable, unless HEADWATER_REQUIRE_POSTGRES=1 (CI),
where an unreachable server fails them instead.
"""

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

POSTGRES_ADMIN_URL = os.environ.get(
    "HEADWATER_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
DATABASE_KINDS = ("sqlite", "postgres")
DatabaseKind = Literal["sqlite", "postgres"]
_reachable: dict[str, bool] = {}
"""Whether each admin URL answered, asked once per test session: a down server costs one timeout."""


def sqlite_url(tmp_path: Path) -> str:
    """The URL of a fresh SQLite file under `tmp_path`."""
    return f"sqlite+aiosqlite:///{tmp_path / 'headwater.sqlite3'}"


def _asyncpg_url(url: str) -> str:
    parsed = make_url(url)
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def postgres_available(admin_url: str = POSTGRES_ADMIN_URL, timeout: float = 2.0) -> bool:
    """Whether the PostgreSQL server at `admin_url` accepts a connection within `timeout` seconds."""
    engine = create_async_engine(
        _asyncpg_url(admin_url), poolclass=NullPool, connect_args={"timeout": timeout}
    )
    try:
        async with asyncio.timeout(timeout + 1):
            async with engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
    except Exception:  # refused, timed out, unknown host, bad credentials: all mean no
        return False
    finally:
        await engine.dispose()
    return True


async def skip_or_fail_without_postgres(admin_url: str = POSTGRES_ADMIN_URL) -> None:
    """Skip the test if PostgreSQL is unreachable, or fail it when HEADWATER_REQUIRE_POSTGRES=1."""
    if admin_url not in _reachable:
        _reachable[admin_url] = await postgres_available(admin_url)
    if _reachable[admin_url]:
        return
    message = (
        f"PostgreSQL not reachable at {_redacted(admin_url)}: start it or set HEADWATER_TEST_POSTGRES_URL"
    )
    if os.environ.get("HEADWATER_REQUIRE_POSTGRES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@asynccontextmanager
async def throwaway_postgres_database(admin_url: str = POSTGRES_ADMIN_URL) -> AsyncIterator[str]:
    """Create a uniquely named, empty PostgreSQL database; yield its URL; drop it afterwards."""
    name = f"headwater_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(_asyncpg_url(admin_url), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    # Identifiers cannot be bound parameters; the name is ours (hex), and quoted regardless.
    quoted = admin.dialect.identifier_preparer.quote(name)
    try:
        async with admin.connect() as conn:
            await conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
        try:
            yield make_url(_asyncpg_url(admin_url)).set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as conn:
                await conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        await admin.dispose()


@asynccontextmanager
async def throwaway_database(kind: DatabaseKind, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of `kind` for one test (skipping or failing if PostgreSQL is down)."""
    if kind == "sqlite":
        yield sqlite_url(tmp_path)
        return
    await skip_or_fail_without_postgres()
    async with throwaway_postgres_database() as url:
        yield url


def database_params() -> list[object]:
    """`pytest.param`s for a fixture parametrized over both databases (postgres is marked)."""
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
