"""Engine and session factories for SQLite (aiosqlite) and PostgreSQL (asyncpg).

No module-level engine: each process builds one from its settings and disposes of it on shutdown.
"""

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=10000",  # first, so the pragmas after it wait for locks too
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=NORMAL",
)
"""Run on every new SQLite connection: concurrent readers, waiting writers, enforced foreign keys."""
_PRAGMA_ATTEMPTS = 5

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(database_url: str) -> URL:
    """Parse a database URL, choosing the async driver when none is named."""
    url = make_url(database_url)
    return url.set(drivername=_ASYNC_DRIVERS.get(url.drivername, url.drivername))


def create_engine(database_url: str, *, pool_size: int = 5, echo: bool = False) -> AsyncEngine:
    """Build an async engine for a `sqlite+aiosqlite://` or `postgresql+asyncpg://` URL."""
    url = async_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, echo=echo)
    return create_async_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_pre_ping=True,  # survive a PostgreSQL restart without a failed request
        pool_recycle=1800,
        connect_args={"timeout": 10, "server_settings": {"application_name": "headwater"}},
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _create_sqlite_engine(url: URL, *, echo: bool) -> AsyncEngine:
    database = url.database or ""
    if database not in ("", ":memory:") and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, echo=echo)
    event.listen(engine.sync_engine, "connect", _set_sqlite_pragmas)
    return engine


def _set_sqlite_pragmas(dbapi_connection: Any, _connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            _execute_pragma(cursor, pragma)
    finally:
        cursor.close()


def _execute_pragma(cursor: Any, pragma: str) -> None:
    # Connections racing to switch a brand-new file to WAL can deadlock on its locks; SQLite then
    # fails one at once ("database is locked") without waiting. Trying again succeeds: by then
    # the other connection holds the lock and busy_timeout makes this one wait for it.
    for attempt in range(1, _PRAGMA_ATTEMPTS + 1):
        try:
            cursor.execute(pragma)
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or attempt == _PRAGMA_ATTEMPTS:
                raise
