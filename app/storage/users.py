"""User accounts: a name, an argon2 password hash, a role, and whether the account is active."""

from datetime import datetime
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base, UtcDateTime, utcnow
from schemas.auth import Role

ROLE_TYPE = sa.Enum(
    Role,
    name="role",
    native_enum=False,
    length=16,
    create_constraint=True,
    values_callable=lambda members: [member.value for member in members],
)
"""A VARCHAR(16) with a CHECK constraint, like every other enum column (see `tables._status_type`)."""


class UserRow(Base):
    """One user account. Users are deactivated, never deleted, so the audit log keeps its meaning."""

    __tablename__ = "users"

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(ROLE_TYPE)
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


async def add_user(session: AsyncSession, *, name: str, password_hash: str, role: Role) -> UserRow:
    """Insert a user; the caller commits (a taken name fails then, or at the flush here)."""
    row = UserRow(id=uuid4(), name=name, password_hash=password_hash, role=role, active=True)
    session.add(row)
    await session.flush()
    return row


async def get_user(session: AsyncSession, user_id: UUID) -> UserRow | None:
    """The user with this id, or None."""
    return await session.get(UserRow, user_id, populate_existing=True)


async def get_user_by_name(session: AsyncSession, name: str) -> UserRow | None:
    """The user with this exact name, or None."""
    return await session.scalar(
        sa.select(UserRow).where(UserRow.name == name).execution_options(populate_existing=True)
    )


async def list_users(session: AsyncSession) -> list[UserRow]:
    """Every user, by name."""
    return list(await session.scalars(sa.select(UserRow).order_by(UserRow.name)))


async def count_users(session: AsyncSession) -> int:
    """How many user accounts exist (active or not)."""
    return await session.scalar(sa.select(sa.func.count()).select_from(UserRow)) or 0
