"""User accounts: create, change, deactivate, and the `admin` created at first start."""

from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.errors import ConflictError, NotFoundError
from app.security.passwords import hash_password, random_password
from app.storage.users import UserRow, add_user, count_users, get_user, get_user_by_name, list_users
from schemas.auth import Role

ADMIN_NAME = "admin"


async def create_user(
    sessions: async_sessionmaker[AsyncSession], name: str, role: Role, password: str
) -> UserRow:
    """Create an active user; ConflictError if the name is taken."""
    password_hash = await hash_password(password)
    try:
        async with sessions.begin() as session:
            return await add_user(session, name=name, password_hash=password_hash, role=role)
    except IntegrityError as exc:
        raise ConflictError(f"a user named {name!r} already exists") from exc


async def ensure_admin(sessions: async_sessionmaker[AsyncSession], password: str | None) -> str | None:
    """On first start (no users at all) create `admin`; return its password if we generated it."""
    async with sessions() as session:
        if await count_users(session):
            return None
    generated = None if password else random_password()
    try:
        await create_user(sessions, ADMIN_NAME, Role.ADMIN, password or generated or "")
    except ConflictError:
        return None  # another process created it a moment ago
    return generated


async def update_user(
    sessions: async_sessionmaker[AsyncSession],
    user_id: UUID,
    *,
    role: Role | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> UserRow:
    """Change a user's role, activity or password; the last active admin cannot be demoted or deactivated."""
    password_hash = await hash_password(password) if password is not None else None
    async with sessions.begin() as session:
        row = await get_user(session, user_id)
        if row is None:
            raise NotFoundError("user not found")
        demoted = role not in (None, Role.ADMIN) or active is False
        loses_admin = row.role is Role.ADMIN and row.active and demoted
        if loses_admin and await _active_admins(session) <= 1:
            raise ConflictError("this is the last active admin: make another admin first")
        if role is not None:
            row.role = role
        if active is not None:
            row.active = active
        if password_hash is not None:
            row.password_hash = password_hash
        await session.flush()
        return row


async def find_user(sessions: async_sessionmaker[AsyncSession], name: str) -> UserRow:
    """The user with this name; NotFoundError if there is none."""
    async with sessions() as session:
        row = await get_user_by_name(session, name)
    if row is None:
        raise NotFoundError(f"no user named {name!r}")
    return row


async def all_users(sessions: async_sessionmaker[AsyncSession]) -> list[UserRow]:
    """Every user, by name."""
    async with sessions() as session:
        return await list_users(session)


async def _active_admins(session: AsyncSession) -> int:
    return sum(1 for user in await list_users(session) if user.active and user.role is Role.ADMIN)
