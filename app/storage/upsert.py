"""One helper for idempotent writes: INSERT ... ON CONFLICT on SQLite and PostgreSQL alike."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def dialect_insert(session: AsyncSession, table: Table) -> sqlite.Insert | postgresql.Insert:
    """An INSERT for `table` in the dialect the session is bound to (it has `on_conflict_*`)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise ValueError(f"Headwater stores data in SQLite or PostgreSQL, not {dialect!r}")


def upsert(
    session: AsyncSession,
    table: Table,
    *,
    keys: Sequence[str],
    copy: Iterable[str] = (),
    set_: Mapping[str, Any] | None = None,
    where: ColumnElement[bool] | None = None,
) -> Insert:
    """INSERT into `table`; on a `keys` conflict copy the `copy` columns and apply `set_`.

    With nothing to update the conflict is ignored (DO NOTHING). `set_` values may be
    expressions over the existing row, e.g. `{"attempts": table.c.attempts + 1}`.
    """
    stmt = dialect_insert(session, table)
    updates: dict[str, Any] = {name: stmt.excluded[name] for name in copy}
    updates.update(set_ or {})
    if not updates:
        return stmt.on_conflict_do_nothing(index_elements=list(keys))
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=updates, where=where)
