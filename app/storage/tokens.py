"""Credentials: API tokens and browser sessions, both stored only as the sha256 of their secret."""

from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base, UtcDateTime, utcnow
from app.storage.users import UserRow


class CredentialKind(StrEnum):
    """An API token (bearer header) or a browser session (cookie)."""

    TOKEN = "token"  # noqa: S105 (a kind, not a secret)
    SESSION = "session"


class CredentialRow(Base):
    """One token or session of one user; a revoked or expired one authenticates nobody."""

    __tablename__ = "credentials"
    __table_args__ = (sa.Index("ix_credentials_user_id", "user_id"),)

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid4)
    user_id: Mapped[UUID] = mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[CredentialKind] = mapped_column(
        sa.Enum(
            CredentialKind,
            name="kind",
            native_enum=False,
            length=16,
            create_constraint=True,
            values_callable=lambda members: [member.value for member in members],
        )
    )
    secret_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


async def add_credential(
    session: AsyncSession,
    *,
    user_id: UUID,
    kind: CredentialKind,
    secret_sha256: str,
    label: str,
    prefix: str,
    expires_at: datetime | None,
) -> CredentialRow:
    """Insert a credential; the caller commits."""
    row = CredentialRow(
        id=uuid4(),
        user_id=user_id,
        kind=kind,
        secret_sha256=secret_sha256,
        label=label,
        prefix=prefix,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    session.add(row)
    await session.flush()
    return row


async def find_credential(
    session: AsyncSession, secret_sha256: str, kind: CredentialKind
) -> tuple[CredentialRow, UserRow] | None:
    """The credential with this secret hash, and its user, whatever their state; or None."""
    found = (
        await session.execute(
            sa.select(CredentialRow, UserRow)
            .join(UserRow, UserRow.id == CredentialRow.user_id)
            .where(CredentialRow.secret_sha256 == secret_sha256, CredentialRow.kind == kind)
        )
    ).first()
    return None if found is None else (found[0], found[1])


async def touch_credential(session: AsyncSession, credential_id: UUID, now: datetime) -> None:
    """Record that a credential was just used."""
    await session.execute(
        sa.update(CredentialRow).where(CredentialRow.id == credential_id).values(last_used_at=now)
    )


async def revoke_credential(session: AsyncSession, credential_id: UUID, now: datetime) -> bool:
    """Revoke one credential (a no-op if it already was). False if there is no such credential."""
    row = await session.get(CredentialRow, credential_id)
    if row is None:
        return False
    if row.revoked_at is None:
        row.revoked_at = now
    return True


async def list_credentials(
    session: AsyncSession, kind: CredentialKind, *, user_id: UUID | None = None
) -> list[tuple[CredentialRow, str]]:
    """Credentials of one kind (of one user, if given), newest first, each with its user's name."""
    stmt = (
        sa.select(CredentialRow, UserRow.name)
        .join(UserRow, UserRow.id == CredentialRow.user_id)
        .where(CredentialRow.kind == kind)
        .order_by(CredentialRow.created_at.desc(), CredentialRow.id)
    )
    if user_id is not None:
        stmt = stmt.where(CredentialRow.user_id == user_id)
    return [(row, name) for row, name in (await session.execute(stmt)).all()]


async def get_credential(session: AsyncSession, credential_id: UUID) -> tuple[CredentialRow, str] | None:
    """One credential and its user's name, or None."""
    found = (
        await session.execute(
            sa.select(CredentialRow, UserRow.name)
            .join(UserRow, UserRow.id == CredentialRow.user_id)
            .where(CredentialRow.id == credential_id)
            .execution_options(populate_existing=True)
        )
    ).first()
    return None if found is None else (found[0], found[1])
