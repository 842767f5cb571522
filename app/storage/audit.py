"""The audit log: every state-changing request, who made it, from where, and how it ended."""

from dataclasses import asdict, dataclass
from datetime import datetime
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.storage.tables import Base, UtcDateTime


class AuditRow(Base):
    """One audited request. No foreign key to users: the record outlives any change to them."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_occurred_at", "occurred_at"),
        sa.Index("ix_audit_log_user_name", "user_name"),
    )

    id: Mapped[UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid4)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[UUID | None] = mapped_column(sa.Uuid)
    user_name: Mapped[str | None] = mapped_column(sa.String(64))
    token_label: Mapped[str | None] = mapped_column(sa.String(100))
    method: Mapped[str] = mapped_column(sa.String(16))
    route: Mapped[str] = mapped_column(sa.String(255))
    action: Mapped[str | None] = mapped_column(sa.String(100))
    resource_id: Mapped[str | None] = mapped_column(sa.String(255))
    status_code: Mapped[int] = mapped_column(sa.Integer)
    client_ip: Mapped[str | None] = mapped_column(sa.String(64))
    user_agent: Mapped[str | None] = mapped_column(sa.String(255))
    detail: Mapped[str | None] = mapped_column(sa.Text)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """What one audited request did (strings are cut to their column's length by `record_audit`)."""

    occurred_at: datetime
    method: str
    route: str
    status_code: int
    user_id: UUID | None = None
    user_name: str | None = None
    token_label: str | None = None
    action: str | None = None
    resource_id: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    detail: str | None = None


_LIMITS = {"user_name": 64, "token_label": 100, "method": 16, "route": 255, "action": 100}
_LIMITS |= {"resource_id": 255, "client_ip": 64, "user_agent": 255}


async def record_audit(session: AsyncSession, record: AuditRecord) -> UUID:
    """Append one entry; over-long strings (a hostile user agent) are cut, never refused."""
    values = {
        key: value[: _LIMITS[key]] if isinstance(value, str) and key in _LIMITS else value
        for key, value in asdict(record).items()
    }
    row = AuditRow(id=uuid4(), **values)
    session.add(row)
    await session.flush()
    return row.id


async def list_audit(
    session: AsyncSession, *, limit: int, offset: int = 0, user_name: str | None = None
) -> tuple[list[AuditRow], int]:
    """One page of the audit log, newest first, optionally one user's entries; and the total."""
    criteria = [] if user_name is None else [AuditRow.user_name == user_name]
    total = await session.scalar(sa.select(sa.func.count()).select_from(AuditRow).where(*criteria))
    rows = await session.scalars(
        sa.select(AuditRow)
        .where(*criteria)
        .order_by(AuditRow.occurred_at.desc(), AuditRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0
