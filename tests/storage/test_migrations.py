"""Migrations: they build the schema the ORM expects, on both databases, once."""

import asyncio

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.storage.engine import create_engine, create_sessionmaker
from app.storage.migrate import alembic_config, migrate
from app.storage.tables import Base
from tests.storage.samples import doc_id, registered

TABLES = {"alembic_version", *Base.metadata.tables}
"""Every table of the ORM (each feature branch of the schema adds its own), and Alembic's."""


def head_revisions() -> set[str]:
    """The newest revision of every branch in the migrations folder (0001 and the branches on it)."""
    heads = set(ScriptDirectory.from_config(alembic_config()).get_heads())
    assert heads
    return heads


async def current_revisions(engine: AsyncEngine) -> set[str]:
    """The revisions (one per branch) the database is at."""
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_heads()))


async def table_names(engine: AsyncEngine) -> set[str]:
    """The tables that exist in the database."""
    async with engine.connect() as conn:
        return set(await conn.run_sync(lambda c: inspect(c).get_table_names()))


async def test_migrations_build_every_table_on_an_empty_database(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert await table_names(engine) == set()
        await migrate(engine)
        assert await table_names(engine) == TABLES
        assert await current_revisions(engine) == head_revisions()
    finally:
        await engine.dispose()


async def test_a_second_migrate_changes_nothing_and_keeps_data(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        await registered(session, "survivor")
        await session.commit()

    await migrate(engine)

    assert await current_revisions(engine) == head_revisions()
    async with engine.connect() as conn:
        versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        ids = (await conn.execute(text("SELECT id FROM documents"))).scalars().all()
    assert sorted(versions) == sorted(head_revisions())
    assert ids == [doc_id("survivor")]


async def test_the_orm_matches_the_migrated_schema(engine: AsyncEngine) -> None:
    def differences(conn: Connection) -> list[object]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as conn:
        assert await conn.run_sync(differences) == []


async def test_two_processes_migrating_at_once_both_succeed(database_url: str) -> None:
    first, second = create_engine(database_url), create_engine(database_url)
    try:
        await asyncio.gather(migrate(first), migrate(second))
        assert await current_revisions(first) == head_revisions()
        assert await table_names(second) == TABLES
    finally:
        await first.dispose()
        await second.dispose()


async def test_the_initial_migration_downgrades_to_an_empty_database(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "base"))
    assert await table_names(engine) == {"alembic_version"}
    assert await current_revisions(engine) == set()


async def test_foreign_keys_are_enforced_after_migrating(session: AsyncSession) -> None:
    """SQLite migrations switch foreign keys off while they run; they must come back on."""
    orphan = text(
        "INSERT INTO pages (doc_id, number, text, has_text_layer, width, height) "
        "VALUES (:doc_id, 1, '', true, 1.0, 1.0)"
    )
    with pytest.raises(IntegrityError):
        await session.execute(orphan, {"doc_id": doc_id("never registered")})


async def test_the_database_refuses_an_unknown_document_status(session: AsyncSession) -> None:
    row = await registered(session, "status")
    await session.commit()
    with pytest.raises(IntegrityError):
        await session.execute(
            text("UPDATE documents SET status = :status WHERE id = :id"),
            {"status": "teleported", "id": row.id},
        )
