"""Alembic environment: migrates over the connection `migrate()` passes in, or over a URL.

From the command line: `alembic -c app/storage/migrations/alembic.ini -x url=sqlite:///x.db upgrade head`.
"""

import asyncio

from alembic import context
from sqlalchemy import Connection

from app.storage.engine import async_url, create_engine
from app.storage.tables import Base


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_over_url(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(_configure)
    finally:
        await engine.dispose()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise RuntimeError("no database: pass -x url=... or set sqlalchemy.url")
    return url


if context.is_offline_mode():
    context.configure(
        url=async_url(_url()), target_metadata=Base.metadata, literal_binds=True, compare_type=True
    )
    with context.begin_transaction():
        context.run_migrations()
elif (connection := context.config.attributes.get("connection")) is not None:
    _configure(connection)
else:
    asyncio.run(_run_over_url(_url()))
