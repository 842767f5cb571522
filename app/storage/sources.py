"""Data sources and the fetch state of their items (migration 0003_sources).

`sources` holds what admins configure; `source_items` remembers, per source and item (a folder file
or a URL), what the last fetch saw: size and mtime, ETag and Last-Modified, the content's sha256.
Items are keyed by the sha256 of their locator, so long URLs and paths fit an index on both databases.
"""

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.errors import ConflictError
from app.sources.changes import ItemState
from app.storage.tables import Base, UtcDateTime, table_of, utcnow
from app.storage.upsert import upsert
from schemas.sources import SourceFields, SourceKind, SourceRead

SOURCE_KIND_TYPE = sa.Enum(
    SourceKind,
    name="kind",
    native_enum=False,
    length=16,
    create_constraint=True,
    values_callable=lambda members: [member.value for member in members],
)
LOCATION_FIELDS = ("path", "urls", "url")
"""Changing one of these points the source elsewhere: what was remembered no longer applies."""


class SourceRow(Base):
    """One configured source."""

    __tablename__ = "sources"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[SourceKind] = mapped_column(SOURCE_KIND_TYPE)
    enabled: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    path: Mapped[str | None] = mapped_column(sa.Text)
    urls: Mapped[list[str] | None] = mapped_column(sa.JSON)
    url: Mapped[str | None] = mapped_column(sa.Text)
    pattern: Mapped[str | None] = mapped_column(sa.String(255))
    recursive: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)

    def fields(self) -> dict[str, Any]:
        """The configurable fields, as `SourceFields` takes them."""
        return {
            "name": self.name,
            "kind": self.kind,
            "enabled": self.enabled,
            "path": self.path,
            "urls": self.urls,
            "url": self.url,
            "pattern": self.pattern,
            "recursive": self.recursive,
        }

    def read(self, tracked_items: int = 0) -> SourceRead:
        """The source as the API shows it."""
        return SourceRead(
            **self.fields(),
            id=self.id,
            created_at=self.created_at,
            updated_at=self.updated_at,
            last_fetched_at=self.last_fetched_at,
            last_error=self.last_error,
            tracked_items=tracked_items,
        )


class SourceItemRow(Base):
    """What the last fetch of one item of a source saw."""

    __tablename__ = "source_items"

    source_id: Mapped[UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    locator: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    size_bytes: Mapped[int | None] = mapped_column(sa.BigInteger)
    mtime_ns: Mapped[int | None] = mapped_column(sa.BigInteger)
    etag: Mapped[str | None] = mapped_column(sa.Text)
    last_modified: Mapped[str | None] = mapped_column(sa.String(64))
    fetched_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    error: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def item_key(locator: str) -> str:
    """The key of an item: the sha256 of its locator."""
    return hashlib.sha256(locator.encode("utf-8", "surrogateescape")).hexdigest()


def _row_values(fields: SourceFields) -> dict[str, Any]:
    return {
        "name": fields.name,
        "kind": fields.kind,
        "enabled": fields.enabled,
        "path": fields.path,
        "urls": None if fields.urls is None else [str(url) for url in fields.urls],
        "url": None if fields.url is None else str(fields.url),
        "pattern": fields.pattern,
        "recursive": fields.recursive,
    }


async def _check_name_free(session: AsyncSession, name: str, source_id: UUID | None = None) -> None:
    taken = await session.scalar(sa.select(SourceRow.id).where(SourceRow.name == name))
    if taken is not None and taken != source_id:
        raise ConflictError(f"a source named {name!r} already exists")


async def add_source(session: AsyncSession, fields: SourceFields, now: datetime) -> SourceRow:
    """Insert a source; ConflictError if its name is taken."""
    await _check_name_free(session, fields.name)
    row = SourceRow(id=uuid4(), **_row_values(fields), created_at=now, updated_at=now)
    session.add(row)
    await session.flush()
    return row


async def update_source(session: AsyncSession, row: SourceRow, fields: SourceFields, now: datetime) -> None:
    """Apply new settings; pointing the source elsewhere forgets what its items' fetches saw."""
    await _check_name_free(session, fields.name, row.id)
    values = _row_values(fields)
    if any(getattr(row, name) != values[name] for name in LOCATION_FIELDS):
        await session.execute(sa.delete(SourceItemRow).where(SourceItemRow.source_id == row.id))
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    await session.flush()


async def get_source(session: AsyncSession, source_id: UUID) -> SourceRow | None:
    """The source, freshly read, or None."""
    return await session.get(SourceRow, source_id, populate_existing=True)


async def delete_source(session: AsyncSession, source_id: UUID) -> bool:
    """Delete a source and its fetch state (documents it brought in stay); True if it existed."""
    await session.execute(sa.delete(SourceItemRow).where(SourceItemRow.source_id == source_id))
    deleted = await session.execute(
        sa.delete(SourceRow).where(SourceRow.id == source_id).returning(SourceRow.id)
    )
    return deleted.scalar_one_or_none() is not None


async def list_sources(session: AsyncSession, *, enabled_only: bool = False) -> list[SourceRow]:
    """Every source (or every enabled one), by name."""
    query = sa.select(SourceRow).order_by(SourceRow.name).execution_options(populate_existing=True)
    if enabled_only:
        query = query.where(SourceRow.enabled.is_(True))
    return list(await session.scalars(query))


async def count_items(session: AsyncSession) -> dict[UUID, int]:
    """How many items each source remembers."""
    rows = await session.execute(
        sa.select(SourceItemRow.source_id, sa.func.count()).group_by(SourceItemRow.source_id)
    )
    return {source_id: count for source_id, count in rows}


async def item_states(session: AsyncSession, source_id: UUID) -> dict[str, ItemState]:
    """What the last fetches of the source's items saw, by locator."""
    rows = await session.scalars(sa.select(SourceItemRow).where(SourceItemRow.source_id == source_id))
    return {
        row.locator: ItemState(
            locator=row.locator,
            sha256=row.sha256,
            size_bytes=row.size_bytes,
            mtime_ns=row.mtime_ns,
            etag=row.etag,
            last_modified=row.last_modified,
            fetched_at=row.fetched_at,
            error=row.error,
        )
        for row in rows
    }


async def save_item_states(
    session: AsyncSession, source_id: UUID, states: Sequence[ItemState], now: datetime
) -> None:
    """Remember what this fetch saw of these items (inserted or replaced)."""
    if not states:
        return
    columns = ["locator", "sha256", "size_bytes", "mtime_ns", "etag", "last_modified", "fetched_at", "error"]
    stmt = upsert(session, table_of(SourceItemRow), keys=["source_id", "key"], copy=[*columns, "updated_at"])
    await session.execute(
        stmt,
        [
            {
                "source_id": source_id,
                "key": item_key(state.locator),
                **{name: getattr(state, name) for name in columns},
                "updated_at": now,
            }
            for state in states
        ],
    )


async def record_fetch(session: AsyncSession, source_id: UUID, now: datetime, error: str | None) -> None:
    """Note that the source was fetched now, and what went wrong (None: nothing)."""
    await session.execute(
        sa.update(SourceRow).where(SourceRow.id == source_id).values(last_fetched_at=now, last_error=error)
    )
