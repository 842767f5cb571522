"""Bring a database to the newest schema with Alembic, over the application's own async engine."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_POSTGRES_LOCK_KEY = 0x6865616477617472  # "headwatr": one migrator at a time per database


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config for Headwater's migrations, optionally bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine) -> None:
    """Upgrade the database to the newest revision; a no-op when it is already there."""
    async with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            await _migrate_sqlite(conn)
        else:
            # Held until commit: a second process waits, then finds nothing left to do.
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY})
            await conn.run_sync(_upgrade)
            await conn.commit()


async def _migrate_sqlite(conn: AsyncConnection) -> None:
    # Batch migrations recreate tables; with foreign keys on, dropping `documents` would cascade
    # into its pages. The pragma only changes outside a transaction, hence the commit around it.
    await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    await conn.commit()
    try:
        # BEGIN IMMEDIATE takes the write lock now, so the DDL is transactional and a second
        # migrator waits (busy_timeout) instead of racing to create the same tables.
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
        await conn.run_sync(_upgrade)
        violations = (await conn.exec_driver_sql("PRAGMA foreign_key_check")).all()
        if violations:
            raise RuntimeError(f"migration left foreign-key violations: {violations[:5]}")
        await conn.commit()
    finally:
        await conn.rollback()  # a no-op after the commit; undoes a migration that failed
        await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        await conn.commit()


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "heads")
